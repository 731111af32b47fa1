// Prints every verdict on consent-verdicts from the beginning, one JSON line each, decoded with
// Confluent's AvroDeserializer (writer schema fetched from the registry by the id in each record).
// Reads read_committed: the gate writes in transactions. Exits after IDLE_MS without a new record.
'use strict';

const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistryClient, SerdeType, AvroDeserializer } = require('@confluentinc/schemaregistry');

const BOOTSTRAP = (process.env.KAFKA_BOOTSTRAP_SERVERS || '127.0.0.1:9092').split(',');
const REGISTRY_URL = process.env.SCHEMA_REGISTRY_URL || 'http://127.0.0.1:8081';
const VERDICTS_TOPIC = process.env.TOPIC_CONSENT_VERDICTS || 'consent-verdicts';
const IDLE_MS = Number(process.env.IDLE_MS || 5000);
const GROUP_ID = process.env.GROUP_ID || 'consent-verdicts-node-example';

const registry = new SchemaRegistryClient({ baseURLs: [REGISTRY_URL] });
const deserializer = new AvroDeserializer(registry, SerdeType.VALUE, {});

// timestamp-millis fields arrive as epoch-millisecond numbers; print them as ISO-8601 like the gate does.
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

function toJson(key, v) {
  if (v == null) return JSON.stringify({ type: 'tombstone', contactId: key });
  const out = { type: 'verdict', ...v, decidedAt: iso(v.decidedAt) };
  if (v.validUntil == null) delete out.validUntil;
  else out.validUntil = iso(v.validUntil);
  return JSON.stringify(out);
}

async function main() {
  const kafka = new Kafka({ clientId: 'consent-gate-node-example', brokers: BOOTSTRAP, logLevel: logLevel.WARN });
  // readUncommitted: false = isolation.level read_committed. No offsets are committed, so every
  // run starts from the beginning of the (compacted) topic.
  const consumer = kafka.consumer({ groupId: GROUP_ID, readUncommitted: false });
  let lastActivity = Date.now();
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => { joined = true; lastActivity = Date.now(); });

  await consumer.connect();
  await consumer.subscribe({ topic: VERDICTS_TOPIC, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      const key = message.key == null ? null : message.key.toString('utf8');
      const verdict = message.value == null ? null : await deserializer.deserialize(VERDICTS_TOPIC, message.value);
      process.stdout.write(toJson(key, verdict) + '\n');
      lastActivity = Date.now();
    },
  });

  await new Promise((resolve) => {
    const timer = setInterval(() => {
      if (joined && Date.now() - lastActivity >= IDLE_MS) {
        clearInterval(timer);
        resolve();
      }
    }, 200);
  });
  await consumer.disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

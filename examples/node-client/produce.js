// Publishes one contact and one consent evidence for it, Avro-encoded in the Confluent wire format
// (magic byte 0, 4-byte schema id, Avro body) with Confluent's AvroSerializer and the schema registry.
'use strict';

const fs = require('fs');
const path = require('path');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { SchemaRegistryClient, SerdeType, AvroSerializer } = require('@confluentinc/schemaregistry');

const BOOTSTRAP = (process.env.KAFKA_BOOTSTRAP_SERVERS || '127.0.0.1:9092').split(',');
const REGISTRY_URL = process.env.SCHEMA_REGISTRY_URL || 'http://127.0.0.1:8081';
const CONTACTS_TOPIC = process.env.TOPIC_CONTACT_CREATED || 'contact-created';
const EVIDENCE_TOPIC = process.env.TOPIC_CONSENT_EVIDENCE || 'consent-evidence';
const CONTACT_ID = process.argv[2] || 'js-1';
const AVRO_DIR = path.join(__dirname, '..', '..', 'schemas', 'src', 'main', 'avro');

const registry = new SchemaRegistryClient({ baseURLs: [REGISTRY_URL] });

// Registers the .avsc under <topic>-value (a no-op returning the same id if it is already there) and
// returns a serializer that writes with exactly that schema id. The serializer's own autoRegisterSchemas
// would register a schema inferred from the JS object, not the contract's schema, so it is not used.
async function serializerFor(topic, avscFile) {
  const schema = fs.readFileSync(path.join(AVRO_DIR, avscFile), 'utf8');
  const id = await registry.register(`${topic}-value`, { schemaType: 'AVRO', schema });
  console.error(`registered ${avscFile} as ${topic}-value, schema id ${id}`);
  return new AvroSerializer(registry, SerdeType.VALUE, { autoRegisterSchemas: false, useSchemaId: id });
}

async function main() {
  const contactSer = await serializerFor(CONTACTS_TOPIC, 'ContactCreated.avsc');
  const evidenceSer = await serializerFor(EVIDENCE_TOPIC, 'ConsentEvidence.avsc');

  // timestamp-millis is a plain long to this serializer (avsc without a logical-type
  // implementation): pass epoch milliseconds as a number, not a Date. Enums are their symbol strings.
  // Optional fields are unions with null: a plain value or null (avsc's unwrapped unions).
  const now = Date.now();
  const contact = {
    contactId: CONTACT_ID,
    brandId: 'acme',
    email: 'js.user@example.org',
    source: 'OWN_CHANNEL',
    createdAt: now,
  };
  const evidence = {
    evidenceId: `ev-${CONTACT_ID}-checkbox`,
    contactId: CONTACT_ID,
    brandId: 'acme',
    kind: 'CHECKBOX_OPT_IN',
    occurredAt: now + 1000,
    proof: {
      reference: `form-submission-${CONTACT_ID}`,
      url: 'https://acme.example/signup',
      ipAddress: null,
      userAgent: null,
      capturedText: 'Yes, send me the acme newsletter.',
    },
  };

  const kafka = new Kafka({ clientId: 'consent-gate-node-example', brokers: BOOTSTRAP, logLevel: logLevel.WARN });
  // DefaultPartitioner is murmur2 like the Java client, so a key lands on the same partition as when a
  // Java producer writes it: contact-created and consent-evidence stay co-partitioned.
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    // The key is the contactId as a UTF-8 string; the gate rejects a record whose key differs from it.
    await producer.send({
      topic: CONTACTS_TOPIC,
      acks: -1,
      messages: [{ key: CONTACT_ID, value: await contactSer.serialize(CONTACTS_TOPIC, contact) }],
    });
    console.error(`sent ContactCreated ${CONTACT_ID} to ${CONTACTS_TOPIC}`);
    await producer.send({
      topic: EVIDENCE_TOPIC,
      acks: -1,
      messages: [{ key: CONTACT_ID, value: await evidenceSer.serialize(EVIDENCE_TOPIC, evidence) }],
    });
    console.error(`sent ConsentEvidence ${evidence.evidenceId} (${evidence.kind}) to ${EVIDENCE_TOPIC}`);
  } finally {
    await producer.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

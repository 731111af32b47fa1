package io.consentgate.chaos;

import io.consentgate.dev.Crc32Partitioner;
import io.consentgate.topics.InputRecordSerializer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes {@link ChaosHistory}'s records to the gate's input topics, in the wire format of the
 * project's own serializer (as {@code publish} does), at a bounded rate, on a thread of its own.
 * A share of the records goes through a producer that partitions with CRC32, as librdkafka-based
 * clients do, so the same contact's records also arrive on partitions its task does not own.
 *
 * <p>{@code records} is a minimum: while the run {@linkplain #holdOpen holds it open} it writes on
 * past it, so that traffic flows through every fault however long the faults take.
 */
final class Generator implements AutoCloseable {

  private final ChaosHistory history;
  private final Random route;
  private final InputRecordSerializer serializer;
  private final Map<String, Object> clientProps;
  private final long records;
  private final long baseContacts;
  private final double crc32Share;
  private final int ratePerSecond;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean open = true;
  private volatile boolean stopping;
  private volatile Throwable crash;

  /**
   * @param baseContacts the first records: contacts only, written as fast as Kafka takes them
   *     (the existing base); the rate applies to the rest
   */
  Generator(long seed, long records, long baseContacts, double crc32Share, int ratePerSecond,
            InputRecordSerializer serializer, Map<String, Object> clientProps) {
    this.history = new ChaosHistory(seed, baseContacts);
    this.baseContacts = baseContacts;
    this.route = new Random(seed * 31 + 7);
    this.serializer = serializer;
    this.clientProps = clientProps;
    this.records = records;
    this.crc32Share = crc32Share;
    this.ratePerSecond = ratePerSecond;
    this.thread = new Thread(this::run, "chaos-generator");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** While open, it goes on writing past its number of records; once closed, it stops there or at once. */
  void holdOpen(boolean open) {
    this.open = open;
  }

  long sent() {
    return sent.get();
  }

  long acknowledged() {
    return acknowledged.get();
  }

  /** Records Kafka did not acknowledge in time (each may or may not have been appended). */
  long failed() {
    return failed.get();
  }

  Exception firstFailure() {
    return firstFailure.get();
  }


  /** Fails when the generator has stopped on an error: nothing would arrive any more. */
  void requireRunning() {
    if (crash != null) {
      throw new IllegalStateException("the generator failed: " + crash, crash);
    }
  }

  /** Waits until every record is sent and answered for (acknowledged or failed). */
  boolean awaitFinished(long millis) throws InterruptedException {
    thread.join(millis);
    if (crash != null) {
      throw new IllegalStateException("the generator failed: " + crash, crash);
    }
    return !thread.isAlive();
  }

  private Map<String, Object> producerProps(boolean crc32) {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // A broker killed mid-run takes its partitions with it until the controller notices: retry
    // through that rather than give up on a record.
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, crc32 ? "chaos-generator-crc32" : "chaos-generator");
    if (crc32) {
      props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, Crc32Partitioner.class.getName());
    }
    return props;
  }

  private void run() {
    Callback answered = (metadata, error) -> {
      if (error == null) {
        acknowledged.incrementAndGet();
      } else {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, error);
      }
    };
    try (KafkaProducer<String, byte[]> java = new KafkaProducer<>(producerProps(false), new StringSerializer(), new ByteArraySerializer());
         KafkaProducer<String, byte[]> crc32 = new KafkaProducer<>(producerProps(true), new StringSerializer(), new ByteArraySerializer())) {
      long startNanos = System.nanoTime();
      for (long i = 0; (i < records || open) && !stopping; i++) {
        if (i == baseContacts) {
          startNanos = System.nanoTime(); // the rate counts from the end of the base
        }
        long due = i < baseContacts ? 0 : startNanos + (i - baseContacts) * 1_000_000_000L / ratePerSecond;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        SpecificRecord record = history.next(Instant.now());
        (route.nextDouble() < crc32Share ? crc32 : java).send(serializer.serialize(record), answered);
        sent.incrementAndGet();
      }
      java.flush();
      crc32.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      crash = t;
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.join(TimeUnit.MINUTES.toMillis(3));
  }
}

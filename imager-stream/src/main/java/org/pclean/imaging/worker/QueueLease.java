package org.pclean.imaging.worker;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sub-cube task taken from the queue ({@link org.pclean.bus.SubcubeQueue}): keeps the record's acquisition lock
 * while the sub-cube is imaged, then settles it (ACCEPT when done, RELEASE when given back). A renewal (RENEW, then
 * a commit) makes the share consumer deliver the record again at its next poll, and only that delivery may be
 * acknowledged next (Kafka 4.4's client refuses the earlier one), so after each renewal the lease polls until the
 * record is back. Whatever else such a poll acquires is released at once: this worker is busy. Not thread-safe: the
 * worker's polling thread calls it, under the worker's lock.
 */
final class QueueLease {
  private static final Logger LOG = LoggerFactory.getLogger(QueueLease.class);
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);
  /** How long settling waits for a renewed record to be delivered back. */
  private static final Duration TAKE_BACK_TIMEOUT = Duration.ofSeconds(5);
  /** Kafka's default share.record.lock.duration.ms, when the consumer has not been told the group's. */
  private static final long DEFAULT_LOCK_MS = 30_000;

  private final ShareConsumer<String, byte[]> queue;
  private final String name;
  private final long renewEveryNanos;
  private ConsumerRecord<String, byte[]> record;  // as last delivered
  private long renewAtNanos;
  private boolean renewing;  // renewed, not yet delivered back
  private boolean lost;  // the lock could not be kept: another worker may take the task

  QueueLease(ShareConsumer<String, byte[]> queue, ConsumerRecord<String, byte[]> record) {
    this.queue = queue;
    this.record = record;
    this.name = record.key();
    // A third of the lock: two renewals may fail or be late before another worker could take the task.
    long lockMs = queue.acquisitionLockTimeoutMs().map(Integer::longValue).orElse(DEFAULT_LOCK_MS);
    this.renewEveryNanos = Duration.ofMillis(lockMs).toNanos() / 3;
    this.renewAtNanos = System.nanoTime() + renewEveryNanos;
  }

  /** Between polls while the task is imaged: renews the lock when due, takes back a renewed record. */
  void keep() {
    if (lost) {
      return;
    }
    try {
      if (renewing) {
        takeBack(Duration.ZERO);
      } else if (System.nanoTime() >= renewAtNanos) {
        queue.acknowledge(record, AcknowledgeType.RENEW);
        renewing = true;
        if (!committed()) {
          lose("its renewal was refused");
          return;
        }
        takeBack(Duration.ZERO);
      }
    } catch (IllegalStateException | KafkaException e) {
      lose(e.getMessage());
    }
  }

  /** ACCEPT (done) or RELEASE (for another worker); false when the lock had been lost or the broker refused. */
  boolean settle(AcknowledgeType type) {
    if (lost) {
      return false;
    }
    try {
      long deadline = System.nanoTime() + TAKE_BACK_TIMEOUT.toNanos();
      while (renewing && System.nanoTime() < deadline) {
        takeBack(Duration.ofMillis(100));
      }
      if (renewing) {
        lose("it was not delivered back after its renewal");
        return false;
      }
      queue.acknowledge(record, type);
      if (!committed()) {
        lose("the broker refused its " + type);
        return false;
      }
      return true;
    } catch (IllegalStateException | KafkaException e) {
      lose(e.getMessage());
      return false;
    }
  }

  private void takeBack(Duration wait) {
    for (ConsumerRecord<String, byte[]> r : queue.poll(wait)) {
      if (r.topic().equals(record.topic()) && r.partition() == record.partition() && r.offset() == record.offset()) {
        record = r;
        renewing = false;
        renewAtNanos = System.nanoTime() + renewEveryNanos;
      } else {
        queue.acknowledge(r, AcknowledgeType.RELEASE);  // acquired while busy: another worker's to take
      }
    }
  }

  private boolean committed() {
    Map<TopicIdPartition, Optional<KafkaException>> result = queue.commitSync(COMMIT_TIMEOUT);
    for (Optional<KafkaException> e : result.values()) {
      if (e.isPresent()) {
        LOG.debug("queue commit of " + name + ": " + e.get().getMessage());
        return false;
      }
    }
    return true;
  }

  private void lose(String why) {
    lost = true;
    LOG.warn("the queue's lock on " + name + " could not be kept (" + why + "): another worker may image it too,"
        + " which only repeats work (a sub-cube is counted once)");
  }
}

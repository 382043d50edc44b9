package org.pclean.imaging.gather;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;

/**
 * Empties the coordinator's stores of jobs that have ended: every few seconds, each job seen in a store (its
 * entries keyed {@code <jobId>} or {@code <jobId>/...}) that is DONE or FAILED on pclean.jobs (the jobs global
 * store) has its entries deleted, so the stores — and their changelogs, by tombstones — hold only running jobs.
 * A job's entries are kept until it has ended everywhere, not only here: a late, redelivered record of a finished
 * cycle or sub-cube still finds them and counts nothing twice; one arriving after the sweep is swept again. The
 * jobs seen are kept in memory and rebuilt from the stores' keys when the task starts.
 */
public final class EndedJobSweeper {
  /** How often ended jobs are swept. */
  public static final Duration INTERVAL = Duration.ofSeconds(5);

  private final List<KeyValueStore<String, ?>> stores;
  private final KeyValueStore<String, ?> jobs;
  private final Consumer<JobSpec> onEnded;
  private final Set<String> seen = new HashSet<>();

  /**
   * @param onEnded called once per ended job before its entries go (e.g. to tombstone what it left on the bus)
   */
  EndedJobSweeper(ProcessorContext<?, ?> context, List<KeyValueStore<String, ?>> stores, Consumer<JobSpec> onEnded) {
    this.stores = stores;
    this.jobs = context.getStateStore(CubeCompletionTopology.JOBS_STORE);
    this.onEnded = onEnded;
    for (KeyValueStore<String, ?> s : stores) {
      try (KeyValueIterator<String, ?> it = s.all()) {
        it.forEachRemaining(kv -> seen(kv.key));
      }
    }
    context.schedule(INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> sweep());
  }

  /** The job of a record keyed {@code <jobId>} or {@code <jobId>/...}, to be swept once it has ended. */
  void seen(String key) {
    if (key != null && !key.isEmpty()) {
      int slash = key.indexOf('/');
      seen.add(slash < 0 ? key : key.substring(0, slash));
    }
  }

  void sweep() {
    for (Iterator<String> it = seen.iterator(); it.hasNext(); ) {
      String jobId = it.next();
      Object v = jobs.get(jobId);
      JobSpec job = (JobSpec) (v instanceof ValueAndTimestamp<?> vt ? vt.value() : v);
      if (job == null || (job.getState() != JobState.DONE && job.getState() != JobState.FAILED)) {
        continue;
      }
      onEnded.accept(job);
      for (KeyValueStore<String, ?> s : stores) {
        delete(s, jobId);
      }
      it.remove();
    }
  }

  /** Deletes {@code jobId} and every {@code jobId/...} key of a store. */
  static void delete(KeyValueStore<String, ?> store, String jobId) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, ?> it = store.prefixScan(jobId + "/", new StringSerializer())) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    if (store.get(jobId) != null) {
      keys.add(jobId);
    }
    keys.forEach(store::delete);
  }

  /**
   * A processor that only sweeps a DSL-materialized store: it sits beside the store's aggregation on the same
   * input (so in the same tasks) and notes each record's job.
   */
  static final class ForStore<V> implements Processor<String, V, Void, Void> {
    private final String store;
    private EndedJobSweeper sweeper;

    ForStore(String store) {
      this.store = store;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      sweeper = new EndedJobSweeper(context, List.of(context.getStateStore(store)), job -> { });
    }

    @Override
    public void process(Record<String, V> record) {
      sweeper.seen(record.key());
    }
  }
}

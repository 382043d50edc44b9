package org.pclean.imaging.gather;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Streams coordinator (pclean's scheduler role): exactly_once_v2, state in changelogged stores, so a
 * restarted app resumes where it stopped. It tracks cube completion, sums continuum partial tiles and runs the
 * continuum major/minor cycle coordination.
 *
 * <p>No single record can stop it: a record that does not decode goes to pclean.dlq and is skipped
 * ({@link DeadLetterDeserializationHandler}); a step that throws fails that record's job and the app goes on
 * ({@link FailJobProcessingHandler}); an exception that still kills a stream thread gets the thread replaced, and the
 * thread's tasks resume from their last commit. (Kafka cannot replace the global thread that reads pclean.jobs: an
 * error there past the handlers stops the client, which the caller sees as state ERROR.)
 */
public final class Coordinator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);
  public static final String APPLICATION_ID = "pclean-gather";

  private final KafkaStreams streams;
  private final CoordinatorErrors errors;
  private final TaskRebalancer rebalancer;
  private final MinorCycleExecutor minorCycles = new MinorCycleExecutor();

  /**
   * The default exactly-once transaction timeout. No minor cycle runs inside a transaction (they run on the
   * {@link MinorCycleExecutor}); the longest is the one that hands a finished job's product set to the sink.
   */
  public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(1);
  /** The consumers' session timeout (classic group protocol). */
  static final int SESSION_TIMEOUT_MS = 10_000;

  /** clientConfig: bootstrap servers and security; stateDir: where the local stores live. */
  public Coordinator(Properties clientConfig, Path stateDir, int replicationFactor) {
    this(clientConfig, stateDir, replicationFactor, DEFAULT_TRANSACTION_TIMEOUT);
  }

  /**
   * As above with the producer's transaction timeout: it must outlast the longest record's processing (a large
   * image's product hand-over), and it is how long a killed coordinator's open transaction blocks read_committed
   * readers when no successor on the same state directory fences it.
   */
  public Coordinator(Properties clientConfig, Path stateDir, int replicationFactor, Duration transactionTimeout) {
    this(clientConfig, stateDir, replicationFactor, transactionTimeout, JobRetention.Settings.DEFAULT);
  }

  /** As above, keeping job records on pclean.jobs as retention says ({@link JobRetention}). */
  public Coordinator(Properties clientConfig, Path stateDir, int replicationFactor, Duration transactionTimeout,
      JobRetention.Settings retention) {
    Properties p = new Properties();
    p.putAll(clientConfig);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.toString(replicationFactor));
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    // The stream thread looks for finished minor cycles between polls: an idle poll of Kafka's default 100 ms
    // would add up to that to every major cycle's hand-over.
    p.put(StreamsConfig.POLL_MS_CONFIG, Long.toString(ContinuumCycleProcessor.POLL.toMillis()));
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
    errors = new CoordinatorErrors(clientConfig);
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, FailJobProcessingHandler.class);
    p.put(CoordinatorErrors.CONFIG, errors);
    // Tiles reach 1 MiB and partial-sum store records 3 MiB: internal topics and the producer take the data
    // topics' record limit.
    p.put(StreamsConfig.topicPrefix("max.message.bytes"), Integer.toString(Topics.MAX_RECORD_BYTES));
    p.put(StreamsConfig.producerPrefix("max.request.size"), Integer.toString(Topics.MAX_RECORD_BYTES));
    p.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), Long.toString(transactionTimeout.toMillis()));
    // Kafka's default poll interval (5 min), or twice the transaction timeout when that was set longer.
    long pollInterval = Math.min(Integer.MAX_VALUE, Math.max(5 * 60 * 1000L, 2 * transactionTimeout.toMillis()));
    p.put(StreamsConfig.consumerPrefix("max.poll.interval.ms"), Long.toString(pollInterval));
    // A coordinator killed -9 keeps its partitions until its session times out (Kafka's default 45 s): its
    // restarted or standby successor takes them over 10 s after the kill instead. Heartbeats every 3 s (a third).
    p.put(StreamsConfig.consumerPrefix("session.timeout.ms"), Integer.toString(SESSION_TIMEOUT_MS));
    p.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), Integer.toString(SESSION_TIMEOUT_MS / 3));
    p.put(StreamsConfig.consumerPrefix("max.partition.fetch.bytes"), Integer.toString(Topics.MAX_RECORD_BYTES));
    rebalancer = new TaskRebalancer(p);
    streams = new KafkaStreams(topology(p, rebalancer, minorCycles, retention), p);
    streams.setUncaughtExceptionHandler(e -> {
      errors.threadReplaced();
      LOG.error("a coordinator stream thread died; replacing it (its tasks resume from their last commit)", e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    errors.jobs(jobId -> job(jobId).orElse(null));
  }

  /**
   * The whole coordinator: cube completion, continuum gathering and the continuum minor-cycle stage, its cycles'
   * tasks placed on the worker group the config's cluster holds.
   */
  public static Topology topology(Properties config) {
    return topology(config, new TaskRebalancer(config), new MinorCycleExecutor(), JobRetention.Settings.DEFAULT);
  }

  static Topology topology(Properties config, TaskRebalancer rebalancer, Executor minorCycles,
      JobRetention.Settings retention) {
    StreamsBuilder builder = new StreamsBuilder();
    CubeCompletionTopology.build(builder);
    PartialGatherTopology.build(builder);
    return ContinuumCycleTopology.addTo(builder.build(config), rebalancer, minorCycles, retention);
  }

  public void start() {
    streams.start();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** The job's latest spec as this coordinator's global job store holds it (empty when unknown or not running). */
  public Optional<JobSpec> job(String jobId) {
    ReadOnlyKeyValueStore<String, JobSpec> jobs = streams.store(StoreQueryParameters.fromNameAndType(
        CubeCompletionTopology.JOBS_STORE, QueryableStoreTypes.<String, JobSpec>keyValueStore()));
    return Optional.ofNullable(jobs.get(jobId));
  }

  /** What the error handlers did: records dead-lettered, jobs failed, stream threads replaced. */
  public CoordinatorErrors.Counts errorCounts() {
    return errors.counts();
  }

  /** Closes and leaves the group, so a restarted app (or the next one-shot job) is not held up by a rebalance. */
  @Override
  public void close() {
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
    minorCycles.close();
    errors.close();
    rebalancer.close();
  }
}

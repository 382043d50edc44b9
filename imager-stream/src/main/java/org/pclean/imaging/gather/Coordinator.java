package org.pclean.imaging.gather;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.pclean.bus.Topics;

/**
 * The Kafka Streams coordinator (pclean's scheduler role): exactly_once_v2, state in changelogged stores, so a
 * restarted app resumes where it stopped. It tracks cube completion, sums continuum partial tiles and runs the
 * continuum major/minor cycle coordination.
 */
public final class Coordinator implements AutoCloseable {
  public static final String APPLICATION_ID = "pclean-gather";

  private final KafkaStreams streams;

  /** clientConfig: bootstrap servers and security; stateDir: where the local stores live. */
  public Coordinator(Properties clientConfig, Path stateDir, int replicationFactor) {
    Properties p = new Properties();
    p.putAll(clientConfig);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.toString(replicationFactor));
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    p.put("processing.exception.handler.global.enabled", "true");
    // Tiles reach 1 MiB and partial-sum store records 3 MiB: internal topics and the producer take the data
    // topics' record limit.
    p.put(StreamsConfig.topicPrefix("max.message.bytes"), Integer.toString(Topics.MAX_RECORD_BYTES));
    p.put(StreamsConfig.producerPrefix("max.request.size"), Integer.toString(Topics.MAX_RECORD_BYTES));
    // The minor cycle runs inside one record's processing (seconds to minutes on big images): the transaction
    // and poll interval must outlast it, or the broker aborts the transaction and the cycle is redone.
    p.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), Integer.toString(5 * 60 * 1000));
    p.put(StreamsConfig.consumerPrefix("max.poll.interval.ms"), Integer.toString(30 * 60 * 1000));
    p.put(StreamsConfig.consumerPrefix("max.partition.fetch.bytes"), Integer.toString(Topics.MAX_RECORD_BYTES));
    streams = new KafkaStreams(topology(p), p);
  }

  /** The whole coordinator: cube completion, continuum gathering and the continuum minor-cycle stage. */
  public static Topology topology(Properties config) {
    StreamsBuilder builder = new StreamsBuilder();
    CubeCompletionTopology.build(builder);
    PartialGatherTopology.build(builder);
    return ContinuumCycleTopology.addTo(builder.build(config));
  }

  public void start() {
    streams.start();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Closes and leaves the group, so a restarted app (or the next one-shot job) is not held up by a rebalance. */
  @Override
  public void close() {
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
  }
}

package org.pclean.sink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.WakeupException;
import org.pclean.bus.BusFormatException;
import org.pclean.bus.Messages;
import org.pclean.bus.OutputNames;
import org.pclean.bus.OutputNames.Product;
import org.pclean.bus.SubcubeTiles;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the cube is written: on a cube job moving to CONCATENATING (pclean.jobs), concatenates each product of its
 * sub-cubes into the final tclean product set by concat_mode (paged, virtual, movevirtual; auto as pclean),
 * exports FITS when the job asked, removes copied sub-cubes unless keep_subcubes, and marks the job DONE (or
 * FAILED with the reason) with a JobEvent. Jobs whose sub-cubes travel on the bus are {@link BusCubeSink}'s.
 */
public final class CubeSink implements Runnable {
  /** The consumer group of this sink's instances. */
  public static final String GROUP = "pclean-sink";
  private static final Logger LOG = LoggerFactory.getLogger(CubeSink.class);

  private final Properties clientConfig;
  private final Set<String> finished = new HashSet<>();
  private volatile boolean closed;
  private volatile KafkaConsumer<String, byte[]> consumer;

  public CubeSink(Properties clientConfig) {
    this.clientConfig = clientConfig;
  }

  @Override
  public void run() {
    try (KafkaConsumer<String, byte[]> cons = SinkClients.consumer(clientConfig, GROUP);
         KafkaProducer<String, Object> producer = SinkClients.producer(clientConfig)) {
      consumer = cons;
      cons.subscribe(List.of(Topics.JOBS.name()));
      while (!closed) {
        for (var r : cons.poll(Duration.ofMillis(200))) {
          JobSpec job;
          try {
            job = Messages.JOB_SPEC.fromBytes(r.topic(), r.value());
          } catch (BusFormatException e) {
            LOG.warn(e.getMessage());
            continue;
          }
          if (job == null) {
            continue;
          }
          if (job.getState() == JobState.DONE || job.getState() == JobState.FAILED) {
            finished.add(job.getJobId());
          } else if (job.getState() == JobState.CONCATENATING && job.getMode() == JobMode.CUBE
              && !SubcubeTiles.onBus(job) && !finished.contains(job.getJobId())) {
            JobSpec outcome = concatenate(job);
            SinkClients.publishOutcome(producer, outcome, "cube written to " + job.getImagename(), null, null);
            finished.add(job.getJobId());
          }
        }
        cons.commitSync();
      }
    } catch (WakeupException e) {
      // stopped
    }
  }

  public void stop() {
    closed = true;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  /** The job DONE with its products written, or FAILED with the reason (and no partial products left). */
  JobSpec concatenate(JobSpec job) {
    return CubeProducts.write(job, products(job),
        k -> OutputNames.subcube(job.getLocalDirectory(), job.getJobId(), k),
        Path.of(job.getLocalDirectory(), job.getJobId()));
  }

  /** Every product, the mask and the pbcor image only when the sub-cubes have them (masked, pbcor runs). */
  private static List<Product> products(JobSpec job) {
    String first = OutputNames.subcube(job.getLocalDirectory(), job.getJobId(), 0);
    return java.util.Arrays.stream(Product.values()).filter(p -> (p != Product.MASK && p != Product.PBCOR)
        || java.nio.file.Files.isDirectory(Path.of(first + "." + p.suffix()))).toList();
  }
}

package org.pclean.imaging.gather;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.BeamRecord;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.SubcubeReady;

/** The production topology in TopologyTestDriver: each job completes once, redeliveries counted once. */
class CubeCompletionTopologyTest {
  private static SubcubeReady ready(String job, int k, int n) {
    return SubcubeReady.newBuilder().setJobId(job).setPartitionIndex(k).setNumPartitions(n).setChanStart(k)
        .setChanEnd(k).setImagename("p" + k).setBeams(List.of(new BeamRecord(1.0, 1.0, 0.0))).build();
  }

  @Test
  void announcesConcatenationOnceWhenEverySubcubeIsIn() {
    StreamsBuilder b = new StreamsBuilder();
    CubeCompletionTopology.build(b);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(b.build(), p)) {
      var jobsIn = driver.createInputTopic(Topics.JOBS.name(), Serdes.String().serializer(), Messages.JOB_SPEC.serializer());
      var planes = driver.createInputTopic(Topics.PLANES.name(), Serdes.String().serializer(),
          Messages.SUBCUBE_READY.serializer());
      var jobsOut = driver.createOutputTopic(Topics.JOBS.name(), Serdes.String().deserializer(),
          Messages.JOB_SPEC.deserializer());
      JobSpec spec = JobSpec.newBuilder().setJobId("J").setState(JobState.PLANNED).setMode(JobMode.CUBE).setVis("v")
          .setImagename("out").setNumPartitions(3).build();
      jobsIn.pipeInput("J", spec);
      jobsOut.readRecordsToList();  // the input itself
      planes.pipeInput("J/0", ready("J", 0, 3));
      planes.pipeInput("J/1", ready("J", 1, 3));
      planes.pipeInput("J/0", ready("J", 0, 3));  // redelivered: counted once
      assertTrue(jobsOut.isEmpty(), "not complete yet");
      planes.pipeInput("J/2", ready("J", 2, 3));
      var out = jobsOut.readValuesToList();
      assertEquals(1, out.size());
      assertEquals(JobState.CONCATENATING, out.get(0).getState());
      assertEquals("out", out.get(0).getImagename());
      planes.pipeInput("J/1", ready("J", 1, 3));  // late duplicate after completion
      assertTrue(jobsOut.isEmpty(), "completion is announced once");
      var progress = driver.<String, org.pclean.bus.avro.SubcubeProgress>getKeyValueStore(
          CubeCompletionTopology.PROGRESS_STORE);
      assertEquals(List.of(0, 1, 2), progress.get("J").getDone());

      // Once the job has ended, its count goes; a running job's stays; a late copy after the sweep goes again.
      jobsIn.pipeInput("K", JobSpec.newBuilder(spec).setJobId("K").build());
      planes.pipeInput("K/0", ready("K", 0, 3));
      jobsIn.pipeInput("J", JobSpec.newBuilder(spec).setState(JobState.DONE).build());
      driver.advanceWallClockTime(EndedJobSweeper.INTERVAL.plusSeconds(1));
      assertEquals(null, progress.get("J"));
      assertEquals(List.of(0), progress.get("K").getDone());
      planes.pipeInput("J/2", ready("J", 2, 3));
      driver.advanceWallClockTime(EndedJobSweeper.INTERVAL.plusSeconds(1));
      assertEquals(null, progress.get("J"));
      assertTrue(jobsOut.readValuesToList().stream().noneMatch(j -> j.getState() == JobState.CONCATENATING),
          "an ended job is not announced again");
    }
  }
}

package org.pclean.ingest;

import java.util.ArrayList;
import java.util.List;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.bus.avro.PartitionKind;

/**
 * The row-chunk tasks of one major cycle of a continuum job, from the row plan its JobSpec carries: one
 * PartitionDescriptor per chunk, keyed {@code jobId/partition} on pclean.tasks so a chunk keeps its topic
 * partition (and, with the sticky assignor, usually its worker) from cycle to cycle. The submitter publishes the
 * first cycle's, the Streams coordinator every later one.
 */
public final class RowChunkTasks {
  private RowChunkTasks() {}

  public static List<PartitionDescriptor> forCycle(JobSpec job, int cycle) {
    List<Long> b = job.getRowBoundaries();
    if (b.size() < 2) {
      throw new IllegalArgumentException("continuum job " + job.getJobId() + " has no row plan");
    }
    List<PartitionDescriptor> out = new ArrayList<>();
    int n = b.size() - 1;
    for (int k = 0; k < n; k++) {
      out.add(PartitionDescriptor.newBuilder().setJobId(job.getJobId()).setAttempt(job.getAttempt())
          .setPartitionIndex(k).setNumPartitions(n).setCycle(cycle).setKind(PartitionKind.ROW_CHUNK).setChanStart(0)
          .setChanEnd(0).setRowStart(b.get(k)).setRowEnd(b.get(k + 1)).setOutput("")
          .setTopicPartition(k < job.getTaskPartitions().size() ? job.getTaskPartitions().get(k) : -1).build());
    }
    return out;
  }

  public static String key(PartitionDescriptor task) {
    return Topics.taskKey(task.getJobId(), task.getPartitionIndex());
  }
}

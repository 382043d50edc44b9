package org.pclean.ops.dashboard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;

/**
 * One job as the dashboard sees it: its JobSpec's state and plan, the convergence of each major cycle, its
 * sub-cubes (channels, who holds them, done) and a progress fraction. Updated by the board's one thread, read by
 * HTTP threads: every method is synchronized.
 */
final class JobView {
  final String jobId;
  long submittedAt;
  String preview;
  private JobState state;
  private JobMode mode;
  private String imagename = "";
  private int numPartitions;
  private int numChannels;
  private int niter;
  private String error;
  private int iterations;
  private String lastMessage = "";
  /** cycle → {cycle, peakResidual, modelFlux, iterations}. */
  private final TreeMap<Integer, Map<String, Object>> cycles = new TreeMap<>();
  /** sub-cube index → {index, chanStart, chanEnd, state (running, done), worker}. */
  private final TreeMap<Integer, Map<String, Object>> subcubes = new TreeMap<>();
  /** cycle → row chunks gridded. */
  private final TreeMap<Integer, java.util.Set<Integer>> chunks = new TreeMap<>();

  JobView(String jobId) {
    this.jobId = jobId;
  }

  synchronized void spec(JobSpec s) {
    state = s.getState();
    mode = s.getMode();
    imagename = s.getImagename();
    numPartitions = s.getNumPartitions();
    numChannels = s.getNumChannels();
    submittedAt = s.getSubmittedAtMillis();
    error = s.getError();
    niter = s.getImaging() == null ? 0 : s.getImaging().getNiter();
  }

  synchronized void event(JobEvent e) {
    if (e.getMessage() != null) {
      lastMessage = e.getMessage();
    }
    if (e.getNumPartitions() != null && numPartitions == 0) {
      numPartitions = e.getNumPartitions();
    }
    if (e.getIterations() != null && e.getType() == JobEventType.CONVERGENCE) {
      iterations = Math.max(iterations, e.getIterations());
    }
    switch (e.getType()) {
      case CONVERGENCE -> {
        if (e.getCycle() != null) {
          Map<String, Object> c = new LinkedHashMap<>();
          c.put("cycle", e.getCycle());
          c.put("peakResidual", e.getPeakResidual());
          c.put("modelFlux", e.getModelFlux());
          c.put("iterations", e.getIterations());
          cycles.put(e.getCycle(), c);
        }
      }
      case STARTED, PROGRESS -> {
        if (e.getPartitionIndex() == null) {
          return;
        }
        if (e.getChanStart() != null) {
          Map<String, Object> sc = subcubes.computeIfAbsent(e.getPartitionIndex(), k -> new LinkedHashMap<>());
          sc.put("index", e.getPartitionIndex());
          sc.put("chanStart", e.getChanStart());
          sc.put("chanEnd", e.getChanEnd());
          if (!"done".equals(sc.get("state"))) {
            sc.put("state", e.getType() == JobEventType.STARTED ? "running" : "done");
          }
          sc.put("worker", e.getWorker());
        } else if (e.getType() == JobEventType.PROGRESS && e.getCycle() != null) {
          chunks.computeIfAbsent(e.getCycle(), k -> new java.util.HashSet<>()).add(e.getPartitionIndex());
        } else if (e.getType() == JobEventType.PROGRESS && e.getCycle() == null) {
          // a sub-cube event of an older worker (no channels): counted done all the same
          subcubes.computeIfAbsent(e.getPartitionIndex(), k -> new LinkedHashMap<>(Map.of("index",
              e.getPartitionIndex()))).put("state", "done");
        }
      }
      case DONE -> state = JobState.DONE;
      case FAILED -> {
        state = JobState.FAILED;
        error = e.getMessage();
      }
      default -> { }
    }
  }

  /**
   * 0..1: 1 when DONE; a cube, its sub-cubes done of the plan; continuum, the CLEAN iterations done of niter
   * (a lower bound: the threshold may end the job sooner), or, with niter 0, the row chunks of its one cycle.
   */
  synchronized double progress() {
    if (state == JobState.DONE) {
      return 1;
    }
    if (mode == JobMode.CUBE) {
      long done = subcubes.values().stream().filter(s -> "done".equals(s.get("state"))).count();
      return numPartitions == 0 ? 0 : Math.min(1, (double) done / numPartitions);
    }
    if (niter > 0) {
      return Math.min(0.99, (double) iterations / niter);
    }
    int gridded = chunks.isEmpty() ? 0 : chunks.lastEntry().getValue().size();
    return numPartitions == 0 ? 0 : Math.min(0.99, (double) gridded / numPartitions);
  }

  synchronized Map<String, Object> json() {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("jobId", jobId);
    j.put("state", state == null ? "UNKNOWN" : state.toString());
    j.put("mode", mode == null ? null : mode.toString());
    j.put("imagename", imagename);
    j.put("numPartitions", numPartitions);
    j.put("numChannels", numChannels);
    j.put("niter", niter);
    j.put("iterations", iterations);
    j.put("submittedAtMillis", submittedAt);
    j.put("progress", progress());
    j.put("message", lastMessage);
    j.put("error", error);
    j.put("cycles", new ArrayList<>(cycles.values()));
    List<Map<String, Object>> scs = new ArrayList<>();
    subcubes.values().forEach(s -> scs.add(new LinkedHashMap<>(s)));
    j.put("subcubes", scs);
    j.put("rowChunksDone", chunks.isEmpty() ? 0 : chunks.lastEntry().getValue().size());
    j.put("preview", preview);
    return j;
  }
}

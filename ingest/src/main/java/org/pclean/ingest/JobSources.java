package org.pclean.ingest;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The visibility source of a job as its JobSpec records it (the dataset and time range of a replay). */
final class JobSources {
  private JobSources() {}

  /** The job's timerange parameter ("from,to" MJD seconds) as a list, empty when it has none. */
  static List<Double> timeRange(Map<String, String> params) {
    String t = params.get("timerange");
    return t == null || t.isBlank() ? List.of()
        : Arrays.stream(t.split(",")).map(Double::parseDouble).toList();
  }
}

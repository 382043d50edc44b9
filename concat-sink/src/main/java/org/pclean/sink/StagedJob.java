package org.pclean.sink;

import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.pclean.bus.OutputNames.Product;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.SubcubeManifest;

/**
 * The sub-cubes of one job (one attempt) staged so far in its own directory on the sink's disk, and where its
 * records began on pclean.subcubes (the sink commits no further until the job is written, so a restarted sink
 * stages it again from there). A record that cannot be staged marks the job failed with the reason, reported
 * when the job is due to be written; a partial job is never written.
 */
final class StagedJob {
  final String jobId;
  final int attempt;
  final int partition;
  final long firstOffset;
  final Path directory;
  private final TreeMap<Integer, StagedSubcube> subcubes = new TreeMap<>();
  private int numPartitions = -1;
  private String error;

  StagedJob(String jobId, int attempt, int partition, long firstOffset, Path directory) {
    this.jobId = jobId;
    this.attempt = attempt;
    this.partition = partition;
    this.firstOffset = firstOffset;
    this.directory = directory;
  }

  /** The first manifest of sub-cube k creates its images; a repeated one (re-sent sub-cube) is ignored. */
  void manifest(int k, SubcubeManifest m) {
    if (error != null || subcubes.containsKey(k)) {
      return;
    }
    try {
      if (numPartitions >= 0 && m.getNumPartitions() != numPartitions) {
        throw new IllegalArgumentException("sub-cube " + k + " belongs to a plan of " + m.getNumPartitions()
            + " sub-cubes, the others to one of " + numPartitions);
      }
      if (k < 0 || k >= m.getNumPartitions()) {
        throw new IllegalArgumentException("sub-cube " + k + " is outside the plan of " + m.getNumPartitions());
      }
      numPartitions = m.getNumPartitions();
      StagedSubcube s = new StagedSubcube(m, prefix(k));
      if (!subcubes.isEmpty() && !subcubes.firstEntry().getValue().products().equals(s.products())) {
        throw new IllegalArgumentException("sub-cube " + k + " has products " + s.products() + ", sub-cube "
            + subcubes.firstKey() + " " + subcubes.firstEntry().getValue().products());
      }
      subcubes.put(k, s);
    } catch (RuntimeException e) {
      error = "staging sub-cube " + k + " failed: " + e.getMessage();
    }
  }

  /** A tile of sub-cube k; tiles of a sub-cube whose manifest was not seen here are not this job's to stage. */
  void tile(int k, ImageTile t) {
    StagedSubcube s = subcubes.get(k);
    if (error != null || s == null) {
      return;
    }
    try {
      s.add(t);
    } catch (RuntimeException e) {
      error = "staging sub-cube " + k + " failed: " + e.getMessage();
    }
  }

  /** Every sub-cube of the plan has every plane of every product on disk. */
  boolean complete() {
    return numPartitions > 0 && subcubes.size() == numPartitions
        && subcubes.values().stream().allMatch(StagedSubcube::complete);
  }

  int numPartitions() {
    return numPartitions;
  }

  /** Why the job cannot be written, or null. */
  String error() {
    return error;
  }

  List<Product> products() {
    return subcubes.isEmpty() ? List.of() : subcubes.firstEntry().getValue().products();
  }

  /** Image-name prefix of staged sub-cube k. */
  String prefix(int k) {
    return directory.resolve(String.format("part-%04d", k)).toString();
  }
}

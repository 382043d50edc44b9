package org.pclean.imaging.continuum;

import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.pclean.bus.CompactedTopicView;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.TileKind;

/**
 * The newest model and density tiles of every running continuum job, read from the compacted pclean.models
 * topic (read_committed, so a cycle's model appears whole). The coordinator keys the topic per job, kind, term and
 * tile without the cycle, so compaction keeps one model per job; each tile says which cycle it is from, and the
 * job's tiles are tombstoned when it ends. A worker asks for the model of cycle k-1 before gridding cycle k.
 */
public final class ModelView extends CompactedTopicView<ImageTile> {
  /**
   * What {@link #await} found: the assembled image (and its tiles' sum of weights, a published PSF term's), or
   * that a later cycle's image already replaced it.
   */
  public record Lookup(float[] image, boolean superseded, double sumWeight) {}

  public ModelView(Properties clientConfig) {
    super(clientConfig, Topics.MODELS, Messages.IMAGE_TILE);
  }

  /**
   * The nx*ny image of (job, attempt, kind, term) from cycle, waiting up to timeout for all its tiles.
   * superseded when a tile is already from a later cycle (the task being done was gathered already).
   */
  public Optional<Lookup> await(String jobId, int attempt, TileKind kind, int term, int cycle, int nx, int ny,
      Duration timeout) throws InterruptedException {
    int n = ImageTiles.count(nx, ny);
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      // Check the tiles first and assemble once: a worker may wait here for seconds while the cycle is gathered.
      ImageTile[] found = new ImageTile[n];
      boolean complete = true;
      for (int k = 0; k < n && complete; k++) {
        ImageTile t = get(Topics.modelKey(jobId, attempt, kind, term, k)).orElse(null);
        if (t != null && t.getCycle() > cycle) {
          return Optional.of(new Lookup(null, true, 0));
        }
        complete = t != null && t.getCycle() == cycle;
        found[k] = t;
      }
      if (complete) {
        float[] image = new float[nx * ny];
        for (ImageTile t : found) {
          ImageTiles.addInto(t, image);
        }
        return Optional.of(new Lookup(image, false, found[0].getSumWeight()));
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return Optional.empty();
  }

  /** Which tiles of (job, attempt, kind, term) from cycle are not there yet, for a timeout's message. */
  public String missing(String jobId, int attempt, TileKind kind, int term, int cycle, int nx, int ny) {
    int n = ImageTiles.count(nx, ny);
    java.util.List<Integer> absent = new java.util.ArrayList<>();
    java.util.List<String> older = new java.util.ArrayList<>();
    for (int k = 0; k < n; k++) {
      ImageTile t = get(Topics.modelKey(jobId, attempt, kind, term, k)).orElse(null);
      if (t == null) {
        absent.add(k);
      } else if (t.getCycle() < cycle) {
        older.add(k + " (from cycle " + t.getCycle() + ")");
      }
    }
    StringBuilder b = new StringBuilder();
    if (!absent.isEmpty()) {
      b.append(absent.size() == n ? "none of its " + n + " tile(s) published" : "tile(s) " + absent + " of " + n
          + " never published");
    }
    if (!older.isEmpty()) {
      b.append(b.length() > 0 ? "; " : "").append("tile(s) ").append(older).append(" of an earlier cycle only");
    }
    return b.length() > 0 ? b.toString() : "all " + n + " tile(s) arrived just now";
  }
}

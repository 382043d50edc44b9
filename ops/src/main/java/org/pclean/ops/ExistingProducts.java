package org.pclean.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.pclean.bus.OutputNames;
import org.pclean.ingest.params.TcleanParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No silent overwrite: a run whose imagename already holds products is refused before anything is computed,
 * unless it asks to replace them ({@code --overwrite}, {@code misc.overwrite}, {@code builder().overwrite(true)})
 * or to continue from them (tclean's {@code --restart}, {@code misc.restart}: the new set, cleaned on from the
 * existing model, replaces the old one at the end).
 * Checked at every user entry (the serial API, replays, the parallel client); the writers themselves replace
 * what they stage (a redelivered sub-cube must), so the decision is made here, once.
 */
public final class ExistingProducts {
  private static final Logger LOG = LoggerFactory.getLogger(ExistingProducts.class);

  private ExistingProducts() {}

  /**
   * Before a run: the directory imagename's products go into is made when missing (a run that computed for
   * minutes must not fail at its first write), then existing products are refused unless overwrite or restart.
   * Throws IllegalArgumentException (exit 2) naming the directory or the first existing product.
   */
  public static void prepare(TcleanParams p) {
    Path dir = Path.of(p.imagename()).toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      try {
        Files.createDirectories(dir);
        LOG.info("created {} for the products of {}", dir, p.imagename());
      } catch (IOException | SecurityException e) {
        throw new IllegalArgumentException("imagename " + p.imagename() + ": cannot create its directory " + dir
            + " (" + e.getMessage() + ")");
      }
    }
    refuseUnlessOverwrite(p);
  }

  /** Throws IllegalArgumentException (exit 2) naming the first existing product, unless overwrite or restart. */
  private static void refuseUnlessOverwrite(TcleanParams p) {
    List<Path> existing = new OutputNames(p.imagename()).existing();
    if (existing.isEmpty()) {
      return;
    }
    if (p.overwrite()) {
      LOG.info("replacing the {} existing product(s) of {} (overwrite)", existing.size(), p.imagename());
      return;
    }
    if (p.restart()) {
      LOG.info("restart: continuing from the {} existing product(s) of {}", existing.size(), p.imagename());
      return;
    }
    throw new IllegalArgumentException("imagename " + p.imagename() + ": " + existing.get(0) + " exists"
        + (existing.size() > 1 ? " (and " + (existing.size() - 1) + " more products)" : "")
        + "; give --restart to continue from them, --overwrite to replace them, or another imagename");
  }
}

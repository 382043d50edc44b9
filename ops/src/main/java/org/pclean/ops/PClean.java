package org.pclean.ops;

import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.SerialImager;
import org.pclean.imaging.TcleanParams;
import org.pclean.imaging.snapshot.SnapshotImager;

/**
 * The Java API: {@code PClean.run(PClean.builder().vis(ms).imagename("out").niter(1000).build())}, tclean's names
 * and defaults. Runs the serial engine; the Kafka runners (parallel cube and continuum) join behind the same call.
 */
public final class PClean {
  private PClean() {}

  public static TcleanParams.Builder builder() {
    return TcleanParams.builder();
  }

  public static ImagingResult run(TcleanParams params) {
    return SerialImager.run(params);
  }

  /**
   * Starts snapshot imaging of a live dataset on the cluster client reaches (as {@code pclean snapshot}):
   * {@code listener.onSnapshot(SnapshotReady, image)} is called for every published snapshot. Close the returned
   * imager to stop it.
   */
  public static SnapshotImager snapshots(java.util.Properties client, SnapshotImager.Settings settings,
      SnapshotImager.Listener listener) {
    return new SnapshotImager(client, settings, listener).start();
  }
}

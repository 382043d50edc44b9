package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.pclean.casacore.FitsFile;

/**
 * WSClean's natural-weighted Stokes I dirty image of an MS's DATA column with our standard gridder's conventions (no
 * w-layers, no small inversion, padding 2), for the tests that compare with it (callers skip when it is absent).
 */
final class WscleanDirty {
  private WscleanDirty() {}

  /** The n x n image at the given WSClean scale ("0.5deg"), made in dir. */
  static float[] image(Path ms, int n, String scale, Path dir) throws Exception {
    Path prefix = dir.resolve("ws");
    Path log = dir.resolve("ws.log");
    ProcessBuilder pb = new ProcessBuilder("wsclean", "-quiet", "-j", "1", "-no-update-model-required",
        "-data-column", "DATA", "-pol", "I", "-size", "" + n, "" + n, "-scale", scale, "-weight", "natural",
        "-nwlayers", "1", "-no-small-inversion", "-padding", "2", "-niter", "0", "-name", prefix.toString(),
        ms.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    Process proc = pb.start();
    assertTrue(proc.waitFor(300, TimeUnit.SECONDS), "wsclean did not finish");
    assertEquals(0, proc.exitValue(), Files.readString(log));
    return FitsFile.read(Path.of(prefix + "-dirty.fits")).plane();
  }
}

package org.pclean.imaging.gridding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.TestData;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.source.MeasurementSetSource;
import org.pclean.ingest.source.VisibilityData;
import org.pclean.ingest.source.VisibilityLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the real VLA MS (shared/testdata), the wgridder's dirty image and PSF equal the standard gridder's within
 * the standard gridder's own accuracy: support-3 spheroidal on a 1.2x grid is good to ~0.3 % of the peak in the
 * inner half of the image and ~1 % at the edges (GriddingKernelsTest), while the wgridder is good to 1e-4.
 */
class WGridderOnRealMsTest {
  private static final Logger LOG = LoggerFactory.getLogger(WGridderOnRealMsTest.class);
  private static final int N = 256;

  @TempDir Path tmp;

  @Test
  void dirtyImageAgreesWithTheStandardGridder() throws Exception {
    Path ms = TestData.unpack(TestData.VLA, tmp);
    TcleanParams.Builder b = TcleanParams.builder().vis(ms).imagename("x").imsize(N, N)
        .cell(Math.toRadians(0.4 / 3600), Math.toRadians(0.4 / 3600)).datacolumn(DataColumn.DATA).threads(2);
    TcleanParams standard = b.build();
    TcleanParams wgridder = b.gridder(TcleanParams.GridderKind.WGRIDDER).build();
    try (MeasurementSetSource source = MeasurementSetSource.open(ms)) {
      VisibilityData d = VisibilityLoader.load(source, standard.selection());
      for (boolean psf : new boolean[] {true, false}) {
        float[] vis = psf ? null : d.vis();
        float[] ref = new float[N * N];
        double sumwtRef = Gridder.forRun(standard, d).invert(d, vis, d.weight(), ref);
        float[] img = new float[N * N];
        double sumwt = Gridder.forRun(wgridder, d).invert(d, vis, d.weight(), img);
        assertEquals(sumwtRef, sumwt, 1e-9 * sumwtRef, "both grid every sample");
        double peak = 0;
        double inner = 0;
        double edge = 0;
        double sq = 0;
        for (int y = 0; y < N; y++) {
          for (int x = 0; x < N; x++) {
            int i = y * N + x;
            double diff = Math.abs(img[i] - ref[i]);
            peak = Math.max(peak, Math.abs(ref[i]));
            boolean innerHalf = x >= N / 4 && x < 3 * N / 4 && y >= N / 4 && y < 3 * N / 4;
            inner = Math.max(inner, innerHalf ? diff : 0);
            edge = Math.max(edge, diff);
            sq += diff * diff;
          }
        }
        double rms = Math.sqrt(sq / (N * N));
        LOG.info("{}: max |wgridder - standard| / peak {} (inner half), {} (whole image); rms {}",
            psf ? "psf" : "dirty image", inner / peak, edge / peak, rms / peak);
        assertTrue(inner <= 3e-3 * peak, "inner-half difference " + inner / peak + " of the peak");
        assertTrue(edge <= 1e-2 * peak, "whole-image difference " + edge / peak + " of the peak");
      }
    }
  }
}

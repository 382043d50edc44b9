package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.WStack;
import org.pclean.imaging.continuum.ContinuumChunk;
import org.pclean.imaging.gridding.Gridder;
import org.pclean.imaging.weighting.ImagingWeights;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.plan.WPlanes;
import org.pclean.ingest.source.MeasurementSetSource;
import org.pclean.ingest.source.VisibilityData;
import org.pclean.ingest.source.VisibilityLoader;

/**
 * Row chunks with the gathered density reproduce the serial weights and images (briggs and uniform), with either
 * gridder (each chunk grids on the whole selection's w planes or range).
 */
class ContinuumChunkTest {
  @TempDir Path tmp;

  @Test
  void chunksWithGatheredDensityEqualSerial() {
    Path ms = SkySimulation.simulate(tmp, "rows.ms", 4, 8e6, 1.0, 0.05);
    int n = 128;
    for (TcleanParams.GridderKind kind : new TcleanParams.GridderKind[] {TcleanParams.GridderKind.STANDARD,
        TcleanParams.GridderKind.WGRIDDER}) {
      for (TcleanParams.WeightingMode mode : new TcleanParams.WeightingMode[] {TcleanParams.WeightingMode.BRIGGS,
          TcleanParams.WeightingMode.UNIFORM}) {
        chunksEqualSerial(ms, n, TcleanParams.builder().vis(ms).imagename("x").imsize(n, n)
            .cell(SkySimulation.CELL, SkySimulation.CELL).datacolumn(DataColumn.DATA).gridder(kind).weighting(mode)
            .robust(0).threads(1).build());
      }
    }
  }

  private static void chunksEqualSerial(Path ms, int n, TcleanParams p) {
    TcleanParams.WeightingMode mode = p.weighting();
    try (MeasurementSetSource m = MeasurementSetSource.open(ms)) {
      VisibilityData all = VisibilityLoader.load(m, p.selection());
      WStack selectionW = WPlanes.forSelection(p, all.uvw(), all.freq());
      long rows = all.numRows();
      long[] cuts = {0, rows / 3, 2 * rows / 3, rows};
      VisibilityData[] chunks = new VisibilityData[3];
      double[] gathered = new double[n * n];
      for (int k = 0; k < 3; k++) {
        chunks[k] = VisibilityLoader.load(m, p.selection(), cuts[k], cuts[k + 1]);
        double[] d = new ContinuumChunk(chunks[k], p, 1.4e9, 1, selectionW).density();
        for (int i = 0; i < d.length; i++) {
          gathered[i] += d[i];
        }
      }
      ImagingWeights iw = new ImagingWeights(n, n, p.cell()[0], p.cell()[1]);
      double[] serialDensity = iw.density(all);
      for (int i = 0; i < gathered.length; i++) {
        assertEquals(serialDensity[i], gathered[i], 1e-9 * Math.max(1, serialDensity[i]), "density cell " + i);
      }
      // Serial images.
      float[] w = iw.apply(all, serialDensity, mode, 0, 0);
      Gridder g = Gridder.forRun(p, all);
      float[] psf = new float[n * n];
      double sumwt = g.invert(all, null, w, psf);
      float[] dirty = new float[n * n];
      g.invert(all, all.vis(), w, dirty);
      // Sum of the chunks' partials.
      float[] psfSum = new float[n * n];
      float[] dirtySum = new float[n * n];
      double sumwtSum = 0;
      for (VisibilityData c : chunks) {
        ContinuumChunk chunk = new ContinuumChunk(c, p, 1.4e9, 1, selectionW);
        chunk.weigh(gathered);
        ContinuumChunk.Psfs part = chunk.psfs();
        float[] res = chunk.residuals(null)[0];
        for (int i = 0; i < n * n; i++) {
          psfSum[i] += part.psf()[0][i];
          dirtySum[i] += res[i];
        }
        sumwtSum += part.sumwt()[0];
      }
      assertEquals(sumwt, sumwtSum, 1e-9 * sumwt, p.gridder() + " " + mode + " sumwt");
      float peak = psf[(n / 2) * n + n / 2];
      for (int i = 0; i < n * n; i++) {
        assertEquals(psf[i], psfSum[i], 1e-5 * peak, p.gridder() + " " + mode + " psf " + i);
        assertEquals(dirty[i], dirtySum[i], 1e-5 * peak, p.gridder() + " " + mode + " dirty " + i);
      }
    }
  }
}

package org.pclean.imaging;

import java.util.List;
import org.pclean.casacore.CorrelationType;
import org.pclean.casacore.MeasurementSet;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.source.MeasurementSetSource;
import org.pclean.ingest.source.VisibilityData;
import org.pclean.ingest.source.VisibilityLoader;

/**
 * tclean's savemodel: writes the model's visibilities into MODEL_DATA for the imaged selection (parallel hands
 * get the Stokes I model, cross hands 0; channels of the spw outside the selection are left as they are).
 */
final class ModelDataWriter {
  interface Predictor {
    float[] predict(float[] model, VisibilityData data);
  }

  private static final int CHUNK_ROWS = 8192;

  private ModelDataWriter() {}

  static void write(TcleanParams p, VisibilityData data, List<float[]> models, boolean cube, Predictor predictor) {
    int nrow = data.numRows();
    int nchan = data.numChannels();
    float[] stokesI;
    if (cube) {
      stokesI = new float[2 * nrow * nchan];
      for (int c = 0; c < models.size(); c++) {
        float[] v = predictor.predict(models.get(c), data.channel(c));
        for (int r = 0; r < nrow; r++) {
          stokesI[2 * (r * nchan + c)] = v[2 * r];
          stokesI[2 * (r * nchan + c) + 1] = v[2 * r + 1];
        }
      }
    } else {
      stokesI = predictor.predict(models.get(0), data);
    }
    try (MeasurementSet ms = MeasurementSet.openWritable(p.vis())) {
      // No time range here (refused with savemodel), so selected rows are the rows written.
      VisibilityLoader.Selection sel = VisibilityLoader.select(MeasurementSetSource.of(ms), p.selection());
      List<CorrelationType> corr = ms.metadata().polarizations().get(sel.polarization()).correlations();
      int ncorr = corr.size();
      for (int r0 = 0; r0 < nrow; r0 += CHUNK_ROWS) {
        int n = Math.min(CHUNK_ROWS, nrow - r0);
        float[] out = new float[2 * n * nchan * ncorr];
        for (int r = 0; r < n; r++) {
          for (int c = 0; c < nchan; c++) {
            int src = 2 * ((r0 + r) * nchan + c);
            for (int k = 0; k < ncorr; k++) {
              if (corr.get(k).isParallelHand()) {
                int dst = 2 * ((r * nchan + c) * ncorr + k);
                out[dst] = stokesI[src];
                out[dst + 1] = stokesI[src + 1];
              }
            }
          }
        }
        ms.writeModelData(r0, n, sel.chan0(), nchan, out);
      }
    }
  }
}

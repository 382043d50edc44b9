package org.pclean.imaging;

import java.util.ArrayList;
import java.util.List;
import org.pclean.bus.OutputNames;
import org.pclean.bus.OutputNames.Product;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.CorrelationType;
import org.pclean.casacore.MeasurementSet;
import org.pclean.imaging.gridding.Gridder;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.source.MeasurementSetSource;
import org.pclean.ingest.source.VisibilityData;
import org.pclean.ingest.source.VisibilityLoader;

/**
 * tclean's savemodel: writes the model's visibilities into MODEL_DATA for the imaged selection (parallel hands
 * get the Stokes I model, cross hands 0; channels of the spw outside the selection are left as they are). A cube
 * plane's model is predicted at its own channel; an mfs model is its Taylor terms' sum Σ_t x_c^t V(model_t) about
 * the plane's reference frequency, as the major cycle subtracts it (one term unless mtmfs).
 */
public final class ModelDataWriter {
  private static final int CHUNK_ROWS = 8192;

  private ModelDataWriter() {}

  /**
   * After a parallel job: the .model image(s) of p's product set (one per cube plane, or per Taylor term)
   * predicted over p's selection and written into MODEL_DATA, as the serial run writes them.
   */
  public static void fromProducts(TcleanParams p) {
    boolean cube = p.specmode() == TcleanParams.SpecMode.CUBE;
    int nterms = !cube && p.deconvolver() == TcleanParams.DeconvolverKind.MTMFS ? p.nterms() : 1;
    OutputNames names = new OutputNames(p.imagename());
    List<float[][]> planes = new ArrayList<>();
    double freq0 = 0;
    for (int t = 0; t < nterms; t++) {
      try (CasaImage model = CasaImage.open(nterms == 1 ? names.path(Product.MODEL) : names.path(Product.MODEL, t))) {
        freq0 = model.geometry().freq0();  // an mfs plane's reference frequency
        int nplanes = model.shape()[3];
        for (int c = 0; c < nplanes; c++) {
          if (t == 0) {
            planes.add(new float[nterms][]);
          }
          planes.get(c)[t] = model.readPlane(0, c);
        }
      }
    }
    VisibilityData data;
    try (MeasurementSet ms = MeasurementSet.open(p.vis())) {
      data = VisibilityLoader.load(MeasurementSetSource.of(ms), p.selection());
    }
    write(p, data, visibilities(p, data, planes, cube, freq0));
  }

  /** The model visibilities (Stokes I) of planes (each its Taylor models) over data. */
  static float[] visibilities(TcleanParams p, VisibilityData data, List<float[][]> planes, boolean cube,
      double freq0) {
    int nrow = data.numRows();
    int nchan = data.numChannels();
    if (cube) {
      if (planes.size() > nchan) {
        throw new IllegalArgumentException("the model holds " + planes.size() + " plane(s), the selection "
            + nchan + " channel(s)");
      }
      float[] stokesI = new float[2 * nrow * nchan];  // channels past nchan planes: a zero model
      for (int c = 0; c < planes.size(); c++) {
        VisibilityData d = data.channel(c);
        float[] v = Gridder.forRun(p, d).predict(planes.get(c)[0], d);
        for (int r = 0; r < nrow; r++) {
          stokesI[2 * (r * nchan + c)] = v[2 * r];
          stokesI[2 * (r * nchan + c) + 1] = v[2 * r + 1];
        }
      }
      return stokesI;
    }
    float[][] terms = planes.get(0);
    TaylorTerms taylor = new TaylorTerms(terms.length, data.freq(), freq0);
    Gridder gridder = Gridder.forRun(p, data);
    float[] sum = new float[2 * nrow * nchan];
    for (int t = 0; t < terms.length; t++) {
      taylor.add(sum, gridder.predict(terms[t], data), t);
    }
    return sum;
  }

  /** Writes Stokes I model visibilities of data (p's selection) into MODEL_DATA. */
  static void write(TcleanParams p, VisibilityData data, float[] stokesI) {
    int nrow = data.numRows();
    int nchan = data.numChannels();
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

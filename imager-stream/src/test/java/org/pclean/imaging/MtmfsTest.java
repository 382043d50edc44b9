package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.OutputNames;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.ingest.params.TcleanParams;

/** mtmfs (nterms 2) on a wide band: tt0 is each source's flux at the band centre and alpha its spectral index. */
class MtmfsTest {
  @TempDir Path tmp;

  @Test
  void recoversSpectralIndices() {
    int nchan = 8;
    double dfreq = 80e6;
    Path ms = SkySimulation.simulate(tmp, "wb.ms", nchan, dfreq, 2.0, 0.0);
    int n = 256;
    String name = tmp.resolve("mt").toString();
    var r = SerialImager.run(TcleanParams.builder().vis(ms).imagename(name).imsize(n, n)
        .cell(SkySimulation.CELL, SkySimulation.CELL).datacolumn(DataColumn.DATA)
        .deconvolver(TcleanParams.DeconvolverKind.MTMFS).nterms(2).niter(5000).threshold(5e-4).build());
    double nu0 = SkySimulation.FREQ0 + (nchan - 1) * dfreq / 2;
    for (Path p : new OutputNames(name).all(2)) {
      assertTrue(Files.isDirectory(p), p + " written");
    }
    try (CasaImage tt0 = CasaImage.open(Path.of(name + ".image.tt0"));
         CasaImage tt1 = CasaImage.open(Path.of(name + ".image.tt1"));
         CasaImage res0 = CasaImage.open(Path.of(name + ".residual.tt0"));
         CasaImage res1 = CasaImage.open(Path.of(name + ".residual.tt1"));
         CasaImage alpha = CasaImage.open(Path.of(name + ".alpha"));
         CasaImage alphaError = CasaImage.open(Path.of(name + ".alpha.error"))) {
      assertEquals(nu0, tt0.toWorld(0, 0, 0, 0)[3], 1.0);
      float[] t0 = tt0.readPlane(0, 0);
      float[] t1 = tt1.readPlane(0, 0);
      float[] r0 = res0.readPlane(0, 0);
      float[] r1 = res1.readPlane(0, 0);
      float[] a = alpha.readPlane(0, 0);
      float[] e = alphaError.readPlane(0, 0);
      for (SkySimulation.Source s : SkySimulation.SKY) {
        int i = (n / 2 + s.dy()) * n + n / 2 + s.dx();
        double flux0 = s.flux() * Math.pow(nu0 / SkySimulation.FREQ0, s.alpha());
        assertEquals(flux0, t0[i], 0.02 * flux0, "tt0 of " + s);
        assertEquals(s.alpha(), a[i], 0.05, "alpha of " + s);
        // tclean's rule, from the written products: |alpha| sqrt((r0/I0)^2 + (r1/I1)^2).
        double expect = Math.abs(t1[i] / t0[i]) * Math.hypot(r0[i] / t0[i], r1[i] / t1[i]);
        assertEquals(expect, e[i], 1e-6 * Math.max(expect, 1e-3), "alpha error of " + s);
        assertTrue(e[i] < 0.05, "alpha error of " + s + ": " + e[i]);
      }
      int defined = 0;
      for (int i = 0; i < a.length; i++) {
        assertEquals(Float.isNaN(a[i]), Float.isNaN(e[i]), "alpha and its error cover the same pixels, " + i);
        defined += Float.isNaN(a[i]) ? 0 : 1;
      }
      assertTrue(defined > 0 && defined < a.length / 2, defined + " pixels with alpha");
    }
    assertTrue(r.planes().get(0).iterations() > 0);
  }
  /**
   * savemodel with mtmfs writes the Taylor model's visibilities, Σ_t x_c^t V(model_t): on a wide band (8 × 80 MHz,
   * spectral indices -0.7, 0, 0.5, noise-free), cleaned deep, MODEL_DATA predicts DATA to within 2 % rms, while
   * one hogbom model (flat across the band) misses the spectra by several times that.
   */
  @Test
  void savemodelWritesTheTaylorModel() throws Exception {
    int nchan = 8;
    double dfreq = 80e6;
    double[] misfit = new double[2];
    for (int k = 0; k < 2; k++) {
      Path ms = SkySimulation.simulate(tmp, "save" + k + ".ms", nchan, dfreq, 2.0, 0.0);
      TcleanParams.Builder b = TcleanParams.builder().vis(ms).imagename(tmp.resolve("save" + k).toString())
          .imsize(256, 256).cell(SkySimulation.CELL, SkySimulation.CELL).datacolumn(DataColumn.DATA).niter(5000)
          .threshold(5e-4).savemodel(true);
      SerialImager.run((k == 0 ? b.deconvolver(TcleanParams.DeconvolverKind.MTMFS).nterms(2) : b).build());
      misfit[k] = SkySimulation.modelMisfit(ms, nchan);
    }
    System.out.printf(java.util.Locale.ROOT, "DATA - MODEL_DATA relative rms: mtmfs %.4f, hogbom %.4f%n", misfit[0],
        misfit[1]);
    assertTrue(misfit[0] < 0.02, "mtmfs: relative rms of DATA - MODEL_DATA " + misfit[0]);
    assertTrue(misfit[1] > 3 * misfit[0], "hogbom's flat model " + misfit[1] + " vs mtmfs " + misfit[0]);
  }
}

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
         CasaImage alpha = CasaImage.open(Path.of(name + ".alpha"))) {
      assertEquals(nu0, tt0.toWorld(0, 0, 0, 0)[3], 1.0);
      float[] t0 = tt0.readPlane(0, 0);
      float[] a = alpha.readPlane(0, 0);
      for (SkySimulation.Source s : SkySimulation.SKY) {
        int i = (n / 2 + s.dy()) * n + n / 2 + s.dx();
        double flux0 = s.flux() * Math.pow(nu0 / SkySimulation.FREQ0, s.alpha());
        assertEquals(flux0, t0[i], 0.02 * flux0, "tt0 of " + s);
        assertEquals(s.alpha(), a[i], 0.05, "alpha of " + s);
      }
    }
    assertTrue(r.planes().get(0).iterations() > 0);
  }
}

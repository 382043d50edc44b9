package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.FitsFile;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.ObservationInfo;
import org.pclean.casacore.TestData;
import org.pclean.ingest.params.TcleanParams;

/**
 * Product headers carry the observation as tclean writes it, read back from the CASA image and from its FITS
 * export, against the MS read independently: the telescope name of MsMetadata and the first TIME of the main
 * table (readTime), converted to a date here; the frame is the spw's as stored (TOPO); with no SOURCE rest
 * frequency, the centre of the selected band (mfs).
 */
class ProductHeadersTest {
  private static final double MJD_EPOCH_UNIX = -3506716800.0;  // 1858-11-17T00:00Z in Unix seconds

  @TempDir Path tmp;

  private static String card(FitsFile f, String key) {
    String v = f.get(key);
    return v == null ? "" : v.replace("'", "").trim();
  }

  @Test
  void vlaImageAndFitsCarryTheObservation() throws Exception {
    Path msPath = TestData.unpack(TestData.VLA, tmp);
    String telescope;
    double firstTime;
    double[] freq;
    try (MeasurementSet ms = MeasurementSet.open(msPath)) {
      telescope = ms.metadata().telescope();
      double[] t = ms.readTime(0, (int) ms.numRows());
      firstTime = Double.MAX_VALUE;
      for (double x : t) {
        firstTime = Math.min(firstTime, x);
      }
      freq = ms.metadata().spectralWindows().get(0).channelFrequencies();
    }
    assertTrue(!telescope.isBlank());
    TcleanParams p = TcleanParams.builder().vis(msPath).imagename(tmp.resolve("h").toString()).imsize(32, 32)
        .cell(Math.toRadians(1.0 / 3600), Math.toRadians(1.0 / 3600)).datacolumn(DataColumn.DATA).niter(0)
        .threads(1).fits(true).build();
    SerialImager.run(p);
    double centre = (freq[0] + freq[freq.length - 1]) / 2;
    ObservationInfo o;
    try (CasaImage img = CasaImage.open(tmp.resolve("h.residual"))) {
      o = img.observation();
    }
    assertEquals(telescope, o.telescope());
    assertEquals(firstTime, o.obsDateMjdSec(), 1e-3);
    assertEquals("TOPO", o.frame());
    assertEquals(centre, o.restFreq(), 1e-3);
    FitsFile f = FitsFile.read(tmp.resolve("h.residual.fits"));
    assertEquals(telescope, card(f, "TELESCOP"));
    assertEquals(o.observer(), card(f, "OBSERVER"));
    assertEquals("TOPOCENT", card(f, "SPECSYS"));
    assertEquals(centre, f.getDouble("RESTFRQ"), 1e-3);
    LocalDateTime date = LocalDateTime.ofInstant(
        Instant.ofEpochMilli(Math.round((firstTime + MJD_EPOCH_UNIX) * 1000)), ZoneOffset.UTC);
    String dateObs = card(f, "DATE-OBS");
    assertTrue(dateObs.startsWith(date.toString().substring(0, 16)), dateObs + " vs " + date);
  }
}

package org.pclean.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputNamesTest {

  @Test
  void plainRunWritesTcleansSixProducts() {
    assertEquals(List.of(Path.of("out/cube.image"), Path.of("out/cube.residual"), Path.of("out/cube.model"),
            Path.of("out/cube.psf"), Path.of("out/cube.pb"), Path.of("out/cube.sumwt")),
        new OutputNames("out/cube").all(1));
  }

  @Test
  void mtmfsWritesTaylorTermsAndAlpha() {
    List<String> names = new OutputNames("c").all(2).stream().map(Path::toString).toList();
    assertEquals(List.of("c.image.tt0", "c.image.tt1", "c.residual.tt0", "c.residual.tt1", "c.model.tt0",
        "c.model.tt1", "c.psf.tt0", "c.psf.tt1", "c.psf.tt2", "c.pb.tt0", "c.sumwt.tt0", "c.sumwt.tt1",
        "c.sumwt.tt2", "c.alpha", "c.alpha.error"), names);
    assertEquals(Path.of("c.image.tt0.fits"), new OutputNames("c").fits(Path.of("c.image.tt0")));
  }

  /** tclean's names: {@code .image.pbcor}, and for mtmfs {@code .image.tt0.pbcor} (of tt0 only), after the mask. */
  @Test
  void pbcorAndMaskAreListedWhenWritten() {
    assertEquals(List.of("c.image", "c.residual", "c.model", "c.psf", "c.pb", "c.sumwt", "c.mask", "c.image.pbcor"),
        new OutputNames("c").all(1, true, true).stream().map(Path::toString).toList());
    List<String> mtmfs = new OutputNames("c").all(2, true, true).stream().map(Path::toString).toList();
    assertEquals(List.of("c.mask", "c.image.tt0.pbcor", "c.alpha", "c.alpha.error"),
        mtmfs.subList(mtmfs.size() - 4, mtmfs.size()));
    assertEquals(Path.of("c.image.tt1.pbcor"), new OutputNames("c").path(OutputNames.Product.PBCOR, 1));
  }

  @Test
  void badImagenamesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new OutputNames(" "));
    assertThrows(IllegalArgumentException.class, () -> new OutputNames("dir/"));
    assertThrows(IllegalArgumentException.class, () -> new OutputNames("x").path(OutputNames.Product.IMAGE, -1));
  }
}

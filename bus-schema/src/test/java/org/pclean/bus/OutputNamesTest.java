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

  @Test
  void badImagenamesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new OutputNames(" "));
    assertThrows(IllegalArgumentException.class, () -> new OutputNames("dir/"));
    assertThrows(IllegalArgumentException.class, () -> new OutputNames("x").path(OutputNames.Product.IMAGE, -1));
  }
}

package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EtaTest {
  @Test
  void theRestAtTheRateSoFar() {
    assertEquals(30, Eta.seconds(2, 5, 20));  // 10 s a unit, 3 left
    assertEquals(0, Eta.seconds(5, 5, 20));
    assertEquals(Double.NaN, Eta.seconds(0, 5, 20));
  }

  @Test
  void shortText() {
    assertEquals("30 s", Eta.text(30));
    assertEquals("0 s", Eta.text(0.2));
    assertEquals("3 min 05 s", Eta.text(185));
    assertEquals("1 h 02 min", Eta.text(3725));
    assertEquals("unknown", Eta.text(Double.NaN));
  }
}

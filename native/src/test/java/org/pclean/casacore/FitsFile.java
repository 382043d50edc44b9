package org.pclean.casacore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A minimal FITS reader for tests: primary header cards and the first BITPIX -32 plane. */
public final class FitsFile {
  private final Map<String, String> header = new HashMap<>();
  private final float[] plane;
  private final int nx;
  private final int ny;

  private FitsFile(byte[] bytes) {
    int pos = 0;
    while (true) {
      String card = new String(bytes, pos, 80, StandardCharsets.US_ASCII);
      pos += 80;
      if (card.startsWith("END ")) {
        break;
      }
      if (card.length() > 10 && card.charAt(8) == '=') {
        String raw = card.substring(10).trim();
        String v = raw.startsWith("'") ? raw.substring(1, raw.indexOf('\'', 1)).trim() : raw.split("/")[0].trim();
        header.put(card.substring(0, 8).trim(), v);
      }
    }
    if (!"-32".equals(header.get("BITPIX"))) {
      throw new IllegalArgumentException("only BITPIX -32 is read, got " + header.get("BITPIX"));
    }
    nx = Integer.parseInt(header.get("NAXIS1"));
    ny = Integer.parseInt(header.get("NAXIS2"));
    int dataStart = ((pos + 2879) / 2880) * 2880;
    ByteBuffer buf = ByteBuffer.wrap(bytes, dataStart, 4 * nx * ny).slice().order(ByteOrder.BIG_ENDIAN);
    plane = new float[nx * ny];
    buf.asFloatBuffer().get(plane);
  }

  public static FitsFile read(Path path) throws IOException {
    return new FitsFile(Files.readAllBytes(path));
  }

  public String get(String key) {
    return header.get(key);
  }

  public double getDouble(String key) {
    return Double.parseDouble(header.get(key));
  }

  /** The first plane, {@code [y * nx + x]}. */
  public float[] plane() {
    return plane;
  }

  public int nx() {
    return nx;
  }

  public int ny() {
    return ny;
  }
}

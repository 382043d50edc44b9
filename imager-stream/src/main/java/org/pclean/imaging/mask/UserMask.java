package org.pclean.imaging.mask;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pclean.casacore.CasaImage;

/**
 * tclean's mask parameter (usemask user): each entry is a CASA mask image (a directory), a region file (CRTF
 * text) or region text itself; the mask is their union. A mask image must have the image's nx × ny; a
 * one-channel mask serves every plane (CASA's expandMask), otherwise each plane takes the mask channel nearest
 * its frequency. Region texts are parsed and mask images' sizes checked when this is made, so bad masks fail
 * before anything is imaged.
 */
public final class UserMask {
  private final List<RegionParser.Shape> shapes = new ArrayList<>();
  private final List<Path> images = new ArrayList<>();

  private UserMask(List<String> entries, int nx, int ny) {
    for (String e : entries) {
      Path path = asPath(e);
      if (path != null && Files.isDirectory(path)) {
        checkSize(path, nx, ny);
        images.add(path);
      } else if (path != null && Files.isRegularFile(path)) {
        try {
          shapes.addAll(RegionParser.parse(Files.readString(path)));
        } catch (IOException x) {
          throw new UncheckedIOException("cannot read mask file " + path, x);
        } catch (IllegalArgumentException x) {
          throw new IllegalArgumentException("mask file " + path + ": " + x.getMessage());
        }
      } else if (e.contains("[")) {
        shapes.addAll(RegionParser.parse(e));
      } else {
        throw new IllegalArgumentException("mask '" + e + "' is neither a region text nor an existing region file"
            + " or mask image");
      }
    }
  }

  /** Reads and checks the entries for an nx × ny image (region syntax; files exist; images have that size). */
  public static UserMask of(List<String> entries, int nx, int ny) {
    return new UserMask(entries, nx, ny);
  }

  /** The union for one plane at freq (Hz) on the image frame, 1 inside. */
  public byte[] plane(PixelFrame f, double freq) {
    List<Region> regions = new ArrayList<>();
    for (RegionParser.Shape s : shapes) {
      regions.add(s.toPixels(f));
    }
    byte[] mask = Region.rasterize(regions, f.nx(), f.ny());
    for (Path p : images) {
      byte[] m = imagePlane(p, f, freq);
      for (int i = 0; i < mask.length; i++) {
        mask[i] |= m[i];
      }
    }
    return mask;
  }

  private static byte[] imagePlane(Path path, PixelFrame f, double freq) {
    try (CasaImage img = CasaImage.open(path)) {
      int[] shape = img.shape();
      int chan = 0;
      double best = Double.MAX_VALUE;
      for (int c = 0; c < shape[3] && shape[3] > 1; c++) {
        double d = Math.abs(img.toWorld(0, 0, 0, c)[3] - freq);
        if (d < best) {
          best = d;
          chan = c;
        }
      }
      float[] v = img.readPlane(0, chan);
      byte[] out = new byte[v.length];
      for (int i = 0; i < v.length; i++) {
        out[i] = (byte) (v[i] > 0 ? 1 : 0);
      }
      return out;
    }
  }

  private static void checkSize(Path path, int nx, int ny) {
    int[] shape;
    try (CasaImage img = CasaImage.open(path)) {
      shape = img.shape();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("mask image " + path + " cannot be read as a CASA image: " + e.getMessage());
    }
    if (shape[0] != nx || shape[1] != ny) {
      throw new IllegalArgumentException("mask image " + path + " is " + shape[0] + "x" + shape[1] + ", the image "
          + nx + "x" + ny);
    }
  }

  private static Path asPath(String s) {
    if (s.contains("[") || s.contains("\n")) {
      return null;
    }
    try {
      return Path.of(s.trim());
    } catch (InvalidPathException e) {
      return null;
    }
  }
}

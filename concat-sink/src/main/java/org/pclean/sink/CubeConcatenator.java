package org.pclean.sink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pclean.casacore.Beam;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.TableDirectories;

/**
 * Joins sub-cubes (each a CASA image over a run of channels) into the output cube, by pclean's concat_mode:
 * <ul>
 *   <li>PAGED: a physical copy into one PagedImage, plane by plane, with each plane's restoring beam and units;
 *   <li>VIRTUAL: casacore's ImageConcat referring to the sub-cubes where they are (which must be kept);
 *   <li>MOVEVIRTUAL: the sub-cubes move inside the output directory and a virtual image refers to them there
 *       (relative paths, so the output can be moved as a whole).
 * </ul>
 * The sub-cubes must share their sky geometry and Stokes axis and follow each other in frequency without gaps.
 * A failed concatenation removes the output.
 */
public final class CubeConcatenator {
  /** pclean's concat modes; AUTO resolves with {@link #resolve}. */
  public enum ConcatMode {
    AUTO, PAGED, VIRTUAL, MOVEVIRTUAL;

    public static ConcatMode parse(String s) {
      for (ConcatMode m : values()) {
        if (m.name().equalsIgnoreCase(s.trim())) {
          return m;
        }
      }
      throw new IllegalArgumentException("unknown concat_mode '" + s + "' (expected auto, paged, virtual or movevirtual)");
    }

    /** auto: a virtual cube over the kept sub-cubes when they are kept, else one paged copy (as pclean). */
    public ConcatMode resolve(boolean keepSubcubes) {
      return this != AUTO ? this : keepSubcubes ? VIRTUAL : PAGED;
    }
  }

  private CubeConcatenator() {}

  /** Writes out from subcubes (in channel order) by mode (not AUTO) and returns the output's geometry. */
  public static ImageGeometry concatenate(List<Path> subcubes, Path out, ConcatMode mode) {
    if (mode == ConcatMode.AUTO) {
      throw new IllegalArgumentException("resolve concat_mode auto before concatenating");
    }
    if (subcubes.isEmpty()) {
      throw new IllegalArgumentException("no sub-cubes to concatenate into " + out);
    }
    List<ImageGeometry> parts = new ArrayList<>();
    for (Path p : subcubes) {
      try (CasaImage img = CasaImage.open(p)) {
        parts.add(img.geometry());
      }
    }
    ImageGeometry whole = combined(subcubes, parts);
    try {
      switch (mode) {
        case PAGED -> copy(subcubes, out, whole);
        case VIRTUAL -> CasaImage.concatVirtual(subcubes, out);
        default -> {
          Files.createDirectories(out);
          List<Path> moved = new ArrayList<>();
          for (Path p : subcubes) {
            Path target = out.resolve(p.getFileName());
            Files.move(p, target);
            moved.add(target);
          }
          CasaImage.concatVirtual(moved, out);
        }
      }
    } catch (RuntimeException | IOException e) {
      if (mode != ConcatMode.MOVEVIRTUAL) {
        TableDirectories.delete(out);
      }
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }
    return whole;
  }

  /** PAGED: one PagedImage written plane by plane, with each plane's beam and the sub-cubes' units. */
  private static void copy(List<Path> subcubes, Path out, ImageGeometry whole) {
    try (CasaImage target = CasaImage.create(out, whole)) {
      int chan = 0;
      for (Path p : subcubes) {
        try (CasaImage src = CasaImage.open(p)) {
          if (chan == 0) {
            target.setUnits(src.units());
            target.setObservation(src.observation());
          }
          int[] shape = src.shape();
          for (int c = 0; c < shape[3]; c++, chan++) {
            for (int s = 0; s < shape[2]; s++) {
              target.writePlane(s, chan, src.readPlane(s, c));
              Beam beam = src.beam(c, s);
              if (beam.isPresent()) {
                target.setPlaneBeam(chan, s, beam);
              }
            }
          }
        }
      }
    }
  }

  private static ImageGeometry combined(List<Path> paths, List<ImageGeometry> parts) {
    ImageGeometry first = parts.get(0);
    int nchan = 0;
    double tol = 1e-6 * Math.abs(first.dfreq());
    for (int k = 0; k < parts.size(); k++) {
      ImageGeometry g = parts.get(k);
      if (g.nx() != first.nx() || g.ny() != first.ny() || !g.stokes().equals(first.stokes())
          || g.ra() != first.ra() || g.dec() != first.dec() || g.cellX() != first.cellX() || g.cellY() != first.cellY()) {
        throw new IllegalArgumentException("sub-cube " + paths.get(k) + " does not share the sky geometry of "
            + paths.get(0));
      }
      double expect = first.freq0() + nchan * first.dfreq();
      if (Math.abs(g.dfreq() - first.dfreq()) > tol || Math.abs(g.freq0() - expect) > tol) {
        throw new IllegalArgumentException("sub-cube " + paths.get(k) + " starts at " + g.freq0()
            + " Hz; the cube's next channel is at " + expect + " Hz (sub-cubes must be contiguous, in order)");
      }
      nchan += g.nchan();
    }
    return new ImageGeometry(first.nx(), first.ny(), first.stokes(), nchan, first.ra(), first.dec(), first.cellX(),
        first.cellY(), first.freq0(), first.dfreq(), first.restFreq());
  }

}

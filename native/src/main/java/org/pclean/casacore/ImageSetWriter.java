package org.pclean.casacore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a product set's CASA images plane by plane, each created on its first plane with the run's geometry (one pixel
 * for .sumwt images). Beams go per plane for cubes, one beam for mfs. Every image (and FITS export) is written
 * under a temporary name ({@link StagedOutputs}) and {@link #finish} renames the set into place, so a run that fails
 * or is killed leaves no product under its final name; {@link #abort()} removes what was written. Used by the
 * serial engine and by the sink.
 */
public final class ImageSetWriter implements AutoCloseable {
  private final ImageGeometry geometry;
  private final boolean cube;
  private final ObservationInfo observation;
  private final Map<Path, CasaImage> images = new LinkedHashMap<>();
  private final StagedOutputs staged = new StagedOutputs();

  public ImageSetWriter(ImageGeometry geometry, boolean cube) {
    this(geometry, cube, null);
  }

  /** @param observation what every image's header records of the observation (null: casacore's defaults) */
  public ImageSetWriter(ImageGeometry geometry, boolean cube, ObservationInfo observation) {
    this.geometry = geometry;
    this.cube = cube;
    this.observation = observation;
  }

  /** Writes one plane of the image at path (created with units on first use); beam may be null. */
  public void plane(Path path, String units, int chan, float[] data, Beam beam) {
    CasaImage img = images.computeIfAbsent(path, p -> {
      ImageGeometry g = geometry;
      if (data.length == 1) {
        g = new ImageGeometry(1, 1, g.stokes(), g.nchan(), g.ra(), g.dec(), g.cellX(), g.cellY(), g.freq0(),
            g.dfreq(), g.restFreq());
      }
      CasaImage created = CasaImage.create(staged.stage(p), g);
      created.setUnits(units);
      if (observation != null) {
        created.setObservation(observation);
      }
      return created;
    });
    img.writePlane(0, chan, data);
    if (beam != null) {
      if (cube) {
        img.setPlaneBeam(chan, 0, beam);
      } else {
        img.setRestoringBeam(beam);
      }
    }
  }

  /**
   * Closes the images, exports each to FITS ({@code <name>.fits}) when asked, and renames the set into place.
   * Returns the paths written: the images in the order first written, each followed by its FITS file.
   */
  public List<Path> finish(boolean fits) {
    List<Path> out = new ArrayList<>();
    for (Map.Entry<Path, CasaImage> e : images.entrySet()) {
      out.add(e.getKey());
      if (fits) {
        Path f = Path.of(e.getKey() + ".fits");
        e.getValue().exportFits(staged.stage(f), true);
        out.add(f);
      }
    }
    close();
    staged.commit();
    return out;
  }

  /** Closes and removes everything written; no final name is touched. */
  public void abort() {
    close();
    staged.abort();
  }

  @Override
  public void close() {
    images.values().forEach(CasaImage::close);
    images.clear();
  }
}

package org.pclean.imaging.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.pclean.casacore.Beam;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.TableDirectories;
import org.pclean.ingest.source.DatasetReader;

/**
 * Writes a snapshot as {@code <prefix>-<UTC>.fits} with casacore's FITS converter (coordinates and beam as the
 * engine's CASA images have them): a scratch CASA image next to it, exported, then removed. The FITS file is
 * written under a temporary name and renamed, so a reader never sees half a file.
 */
final class SnapshotFits {
  /** ISO 8601 basic format, millisecond precision: sortable, and no ':' in file names. */
  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
      .withZone(ZoneOffset.UTC);

  private SnapshotFits() {}

  /** {@code <prefix>-<UTC of the window start>.fits}. */
  static Path path(String prefix, double windowStartMjdSeconds) {
    Instant t = Instant.ofEpochMilli(DatasetReader.timestampMillis(windowStartMjdSeconds));
    return Path.of(prefix + "-" + UTC.format(t) + ".fits");
  }

  static void write(Path fits, ImageGeometry g, float[] image, Beam beam, String object) throws IOException {
    Path dir = fits.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path scratch = dir.resolve("." + fits.getFileName() + ".image");
    Path partial = dir.resolve("." + fits.getFileName() + ".part");
    try (CasaImage img = CasaImage.create(scratch, g)) {
      img.setUnits("Jy/beam");
      img.setObjectName(object);
      img.writePlane(0, 0, image);
      img.setRestoringBeam(beam);
      img.exportFits(partial, true);
    } finally {
      TableDirectories.delete(scratch);
    }
    Files.move(partial, fits, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}

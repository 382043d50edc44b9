package org.pclean.sink;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.OutputNames.Product;
import org.pclean.bus.SubcubeTiles;
import org.pclean.bus.avro.BeamRecord;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.SubcubeManifest;
import org.pclean.bus.avro.SubcubeProduct;
import org.pclean.casacore.Beam;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.ImageGeometry;

/**
 * One sub-cube arriving over pclean.subcubes, staged as CASA images ({@code <prefix>.image} ...) on the sink's
 * disk: created from the manifest (geometry, units, per-plane beams), then filled plane by plane as the tiles of
 * a plane complete. Only planes in flight are held in memory. A tile seen before, or one of a plane already
 * written, is dropped: a re-sent sub-cube (redelivered task) changes nothing.
 */
final class StagedSubcube {
  private final SubcubeManifest manifest;
  private final String prefix;
  private final List<Product> products;
  private final BitSet written = new BitSet();
  private final Map<Integer, Plane> inFlight = new HashMap<>();
  private final int planes;

  /** A plane whose tiles are arriving. */
  private static final class Plane {
    final float[] pixels;
    final BitSet tiles = new BitSet();

    Plane(int n) {
      pixels = new float[n];
    }
  }

  /** Creates the sub-cube's images at prefix; throws when the manifest does not add up. */
  StagedSubcube(SubcubeManifest m, String prefix) {
    this.manifest = m;
    this.prefix = prefix;
    this.products = m.getProducts().stream().map(e -> SubcubeTiles.product(e.getKind())).toList();
    int nchan = m.getChanEnd() - m.getChanStart() + 1;
    int tiles = 0;
    for (SubcubeProduct e : m.getProducts()) {
      if (e.getNchan() != nchan) {
        throw new IllegalArgumentException(e.getKind() + " has " + e.getNchan() + " planes; the sub-cube has " + nchan);
      }
      tiles += nchan * ImageTiles.count(e.getNx(), e.getNy());
    }
    if (tiles != m.getNumTiles()) {
      throw new IllegalArgumentException("manifest announces " + m.getNumTiles() + " tiles; its products make " + tiles);
    }
    planes = nchan * products.size();
    for (int i = 0; i < products.size(); i++) {
      SubcubeProduct e = m.getProducts().get(i);
      ImageGeometry g = new ImageGeometry(e.getNx(), e.getNy(), e.getStokes(), e.getNchan(), e.getRa(), e.getDec(),
          e.getCellX(), e.getCellY(), e.getFreq0(), e.getDfreq(), e.getRestFreq());
      try (CasaImage img = CasaImage.create(path(i), g)) {
        img.setUnits(e.getUnits());
        List<BeamRecord> beams = e.getBeams();
        for (int c = 0; c < beams.size() && c < nchan; c++) {
          BeamRecord b = beams.get(c);
          if (b.getMajorArcsec() > 0) {
            img.setPlaneBeam(c, 0, new Beam(b.getMajorArcsec(), b.getMinorArcsec(), b.getPaDeg()));
          }
        }
      }
    }
  }

  SubcubeManifest manifest() {
    return manifest;
  }

  List<Product> products() {
    return products;
  }

  String prefix() {
    return prefix;
  }

  boolean complete() {
    return written.cardinality() == planes;
  }

  /** Adds a tile; a plane whose last tile this is goes to disk. Throws for a tile that fits no plane. */
  void add(ImageTile t) {
    int i = products.indexOf(SubcubeTiles.product(t.getKind()));
    SubcubeProduct e = i < 0 ? null : manifest.getProducts().get(i);
    if (e == null || t.getChannel() < 0 || t.getChannel() >= e.getNchan() || t.getImageNx() != e.getNx()
        || t.getImageNy() != e.getNy() || t.getTileIndex() < 0
        || t.getTileIndex() >= ImageTiles.count(e.getNx(), e.getNy())) {
      throw new IllegalArgumentException("tile " + t.getKind() + " channel " + t.getChannel() + " #" + t.getTileIndex()
          + " (" + t.getImageNx()
          + "x" + t.getImageNy() + ") fits no plane of sub-cube " + prefix);
    }
    int plane = i * e.getNchan() + t.getChannel();
    if (written.get(plane)) {
      return;
    }
    Plane p = inFlight.computeIfAbsent(plane, k -> new Plane(e.getNx() * e.getNy()));
    if (p.tiles.get(t.getTileIndex())) {
      return;
    }
    ImageTiles.addInto(t, p.pixels);  // into zeros: the first copy of each tile, once
    p.tiles.set(t.getTileIndex());
    if (p.tiles.cardinality() == ImageTiles.count(e.getNx(), e.getNy())) {
      try (CasaImage img = CasaImage.open(path(i), true)) {
        img.writePlane(0, t.getChannel(), p.pixels);
      }
      inFlight.remove(plane);
      written.set(plane);
    }
  }

  private Path path(int product) {
    return Path.of(prefix + "." + products.get(product).suffix());
  }
}

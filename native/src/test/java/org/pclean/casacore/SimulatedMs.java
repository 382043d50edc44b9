package org.pclean.casacore;

import java.nio.file.Path;
import java.util.List;

/** A small simulated MS shared by the native tests. */
public final class SimulatedMs {
  public static final double RA = Math.toRadians(150.0);
  public static final double DEC = Math.toRadians(40.0);
  public static final int NCHAN = 4;
  public static final double FREQ0 = 1.4e9;
  public static final double DFREQ = 8e6;
  public static final List<MsSimulator.PointSource> SKY = List.of(
      new MsSimulator.PointSource(Math.toRadians(20.0 / 60), Math.toRadians(-10.0 / 60), 1.5, -0.7),
      new MsSimulator.PointSource(Math.toRadians(-5.0 / 60), Math.toRadians(12.0 / 60), 0.8, 0.3));

  private SimulatedMs() {}

  public static AntennaArray array(int nant) {
    AntennaArray vla = AntennaArray.vlaLike(AntennaArray.vlaArmLength("C"));
    // Antennas from all three arms so the uv coverage is two-dimensional.
    List<Integer> pick = List.of(0, 9, 18, 2, 11, 20, 4, 13, 22).subList(0, nant);
    return new AntennaArray("VLA",
        pick.stream().map(vla.names()::get).toList(),
        pick.stream().map(vla.positions()::get).toList(),
        pick.stream().mapToDouble(i -> vla.diameters()[i]).toArray());
  }

  public static MsSimulator.Observation observation(double noise) {
    return new MsSimulator.Observation("TARGET", RA, DEC, NCHAN, FREQ0, DFREQ, "RR RL LR LL",
        -0.5, 0.5, 300.0, 60000.0, noise, 42L);
  }

  public static Path create(Path dir, int nant, double noise) {
    Path ms = dir.resolve("sim.ms");
    MsSimulator.simulate(ms, array(nant), observation(noise), SKY);
    return ms;
  }
}

package org.pclean.bus;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 instantiates only classes it trusts, also when a builder copies a message (enum and nested record
 * fields). Installing trust in the generated bus messages is idempotent; the serdes and helpers that build or
 * decode messages do it when they load, so applications need not.
 */
public final class AvroTrust {
  private static volatile boolean installed;

  private AvroTrust() {}

  public static void install() {
    if (installed) {
      return;
    }
    synchronized (AvroTrust.class) {
      if (!installed) {
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
            c -> c.getName().startsWith("org.pclean.bus.avro.")));
        installed = true;
      }
    }
  }
}

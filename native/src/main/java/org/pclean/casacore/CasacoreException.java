package org.pclean.casacore;

/** An error raised inside casacore or the native facade, carrying casacore's own message. */
public class CasacoreException extends RuntimeException {
  public CasacoreException(String message) {
    super(message);
  }

  public CasacoreException(String message, Throwable cause) {
    super(message, cause);
  }
}

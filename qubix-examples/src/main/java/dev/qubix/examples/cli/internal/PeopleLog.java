package dev.qubix.examples.cli.internal;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * qubixctl's log without -v: warnings and errors only, as {@code qubixctl: warning: …} lines
 * for people. slf4j-simple cannot say that (2.0's {@code warnLevelString} is read but never
 * used), and -v still wants its full format, so this provider is chosen by the
 * {@code slf4j.provider} property instead of being listed in META-INF/services.
 */
public final class PeopleLog implements SLF4JServiceProvider {
  private final ILoggerFactory loggers = Line::new;
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  private static final class Line extends AbstractLogger {
    private static final long serialVersionUID = 1L;
    // on a terminal a warning may arrive while the progress spinner line is shown: clear it first
    private static final String PREFIX = System.console() != null && System.getenv("TERM") != null
        && !"dumb".equals(System.getenv("TERM")) ? "\r\033[2Kqubixctl: " : "qubixctl: ";

    Line(String name) {
      this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
      return false;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
      String message = MessageFormatter.basicArrayFormat(pattern, args);
      // one println: lines from two threads never interleave mid-line
      System.err.println(PREFIX + (level == Level.ERROR ? "error: " : "warning: ") + message
          + (t == null || t.getMessage() == null ? "" : " (" + t.getMessage() + ")"));
    }
  }
}

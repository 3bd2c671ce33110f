package dev.qubix.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Endpoint;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default RDP client starts through the context's CommandRunner, with the options README names. */
class RdpClientsTest {
  @TempDir Path dir;
  final List<Command> started = new CopyOnWriteArrayList<>();
  final CommandRunner runner = new CommandRunner() {
    @Override
    public CommandResult run(Command command) {
      throw new AssertionError("an RDP client is started, never run to completion: " + command.argv());
    }

    @Override
    public Process start(Command command) {
      started.add(command);
      return CommandRunner.local().start(command);
    }
  };

  @Test
  void xfreerdpStartsThroughTheRunnerWithCertIgnoreOnADisplay() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path xfreerdp = bin.resolve("xfreerdp");
    Files.writeString(xfreerdp, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(xfreerdp, PosixFilePermissions.fromString("rwxr-xr-x"));
    HostInfo host = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of("DISPLAY", ":0", "PATH", bin.toString()));
    BackendContext ctx = new dev.qubix.internal.CoreBackendContext(dir, runner, e -> { }, Clock.systemUTC(), host,
        Duration.ofMinutes(1));

    Process p = RdpClients.launchDefault(spotibox(), new Endpoint("127.0.0.1", 40001), ctx).orElseThrow();

    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(started).singleElement().satisfies(c -> assertThat(c.argv())
        .containsExactly(xfreerdp.toString(), "/v:127.0.0.1:40001", "/u:rdp", "/size:1280x800", "/cert:ignore", "/sound",
            "+clipboard"));
  }

  @Test
  void headlessStartsNothing() throws Exception {
    HostInfo host = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of("PATH", dir.toString()));
    BackendContext ctx = new dev.qubix.internal.CoreBackendContext(dir, runner, e -> { }, Clock.systemUTC(), host,
        Duration.ofMinutes(1));

    assertThat(RdpClients.launchDefault(spotibox(), new Endpoint("127.0.0.1", 40001), ctx)).isEmpty();
    assertThat(started).isEmpty();
  }

  @Test
  void xfreerdpReadsThePasswordFromStdinAndNeverFromItsArguments() throws Exception {
    List<String> argv = RdpClients.xfreerdpArgs("xfreerdp", spotibox(), new Endpoint("127.0.0.1", 40001), true);

    assertThat(argv).contains("/v:127.0.0.1:40001", "/u:rdp", "/from-stdin:force", "/d:spotibox");
    assertThat(argv).noneMatch(a -> a.startsWith("/p:") || a.startsWith("-p"));
  }

  @Test
  void withoutAPasswordXfreerdpAsksTheUserItself() throws Exception {
    List<String> argv = RdpClients.xfreerdpArgs("xfreerdp", spotibox(), new Endpoint("127.0.0.1", 40001), false);

    assertThat(argv).noneMatch(a -> a.startsWith("/p:") || a.startsWith("/from-stdin"));
  }

  private MachineManifest spotibox() throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/manifests/spotibox-v3.json")) {
      return ManifestReader.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), "spotibox");
    }
  }
}

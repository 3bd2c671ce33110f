package dev.qubix.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Endpoint;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RdpClientsTest {
  private static MachineManifest spotibox() throws Exception {
    try (InputStream in = RdpClientsTest.class.getResourceAsStream("/manifests/spotibox-v3.json")) {
      return ManifestReader.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), "spotibox");
    }
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
}

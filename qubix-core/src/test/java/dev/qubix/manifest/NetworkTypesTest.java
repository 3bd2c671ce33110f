package dev.qubix.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NetworkTypesTest {

  @Test
  void parsesOnlyStrictDottedQuads() {
    assertThat(Ipv4.parse("192.168.250.10")).get().hasToString("192.168.250.10");
    assertThat(Ipv4.parse("0.0.0.0")).get().extracting(Ipv4::isUnspecified).isEqualTo(true);
    assertThat(Ipv4.parse("169.254.3.4")).get().extracting(Ipv4::isLinkLocal).isEqualTo(true);
    for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.256", " 1.2.3.4", "1.2.3.-4", "a.b.c.d", "1..3.4"}) {
      assertThat(Ipv4.parse(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void cidrContainsAndRejectsHostBits() {
    Cidr net = Cidr.parse("192.168.250.0/24").orElseThrow();
    assertThat(net.contains(Ipv4.of("192.168.250.77"))).isTrue();
    assertThat(net.contains(Ipv4.of("192.168.251.1"))).isFalse();
    assertThat(net.broadcast()).isEqualTo(Ipv4.of("192.168.250.255"));
    assertThat(Cidr.parse("192.168.250.1/24")).isEmpty();
    assertThat(Cidr.parse("10.0.0.0/33")).isEmpty();
    assertThat(Cidr.containing(Ipv4.of("10.1.2.3"), 16)).hasToString("10.1.0.0/16");
  }

  @Test
  void memoryPrintsInBinaryUnits() {
    assertThat(Memory.ofMiB(256)).hasToString("256 MiB");
    assertThat(new Memory(6442450944L)).hasToString("6 GiB");
    assertThat(new Memory(1000)).hasToString("1000 bytes");
  }
}

/** The backend SPI: providers, backends, image builders, and the helpers they share. */
package dev.qubix.spi;

/** Qubix public API: {@code Qubix.appliance("spotibox").build().recreate().connect()}. */
package dev.qubix;

/** Typed, validated manifest records, and the reader for schemaVersion 3 and 2. */
package dev.qubix.manifest;

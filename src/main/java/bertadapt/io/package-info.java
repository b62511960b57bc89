/**
 * File-system safety shared by every package that writes to disk or downloads: files and directories that appear
 * whole or not at all, recursive deletion, and HTTP downloads verified against a checksum.
 */
package bertadapt.io;

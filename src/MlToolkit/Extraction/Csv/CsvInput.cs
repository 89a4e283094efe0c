using System.Buffers;
using System.Text;
using CsvHelper;
using Microsoft.Win32.SafeHandles;

namespace MlToolkit.Extraction.Csv;

/// <summary>
/// The UTF-8 bytes of a CSV source, readable from any offset: a reader can be restarted at the line after a malformed
/// record, and the bytes around a problem can be looked at. A UTF-8 file is read in place; input in another encoding
/// (<see cref="CsvSourceOptions.Encoding"/>, or a UTF-16/UTF-32 byte order mark) is transcoded to UTF-8 in memory first,
/// so that offsets are always offsets in UTF-8 bytes.
/// </summary>
internal abstract class CsvInput : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Whether the bytes were transcoded from another encoding (so offsets are not those of the original file).</summary>
    public bool Transcoded { get; protected init; }

    /// <summary>The input for a file: read in place when it is UTF-8, else transcoded into memory.</summary>
    public static CsvInput ForFile(string path, Encoding encoding)
    {
        Span<byte> start = stackalloc byte[4];
        int length;
        using (SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            length = RandomAccess.Read(handle, start, 0);
        }

        Encoding actual = ByteOrderMark(start[..length]) ?? encoding;
        if (IsUtf8(actual))
        {
            return new FileInput(path);
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        return new MemoryInput(Transcode(file, actual), transcoded: true);
    }

    /// <summary>The input for bytes in memory: used as they are when they are UTF-8, else transcoded.</summary>
    public static CsvInput ForBytes(byte[] bytes, Encoding encoding)
    {
        Encoding actual = ByteOrderMark(bytes) ?? encoding;
        if (IsUtf8(actual))
        {
            return new MemoryInput(bytes, transcoded: false);
        }

        using var stream = new MemoryStream(bytes, writable: false);
        return new MemoryInput(Transcode(stream, actual), transcoded: true);
    }

    /// <summary>A reader over the input from <paramref name="offset"/> on.</summary>
    public abstract CsvReader OpenReader(long offset, CsvReaderOptions options);

    /// <summary>Reads bytes at <paramref name="offset"/>; returns how many were read (0 at the end).</summary>
    public abstract int Read(long offset, Span<byte> buffer);

    /// <summary>
    /// The offset just after the <paramref name="lineBreaks"/>-th line break from <paramref name="offset"/> on (CR, LF and
    /// CR LF each count once, as CsvHelper counts lines), or the end of the input when it ends first.
    /// </summary>
    public long SkipLines(long offset, long lineBreaks)
    {
        if (lineBreaks <= 0)
        {
            return offset;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long position = offset;
            long remaining = lineBreaks;
            bool afterCarriageReturn = false;
            while (true)
            {
                int read = Read(position, buffer.AsSpan(0, ChunkSize));
                if (read == 0)
                {
                    return position;
                }

                ReadOnlySpan<byte> chunk = buffer.AsSpan(0, read);
                int i = 0;
                if (afterCarriageReturn)
                {
                    afterCarriageReturn = false;
                    if (remaining == 0)
                    {
                        return chunk[0] == (byte)'\n' ? position + 1 : position;
                    }

                    if (chunk[0] == (byte)'\n')
                    {
                        i = 1;
                    }
                }

                while (i < read)
                {
                    int next = chunk[i..].IndexOfAny((byte)'\r', (byte)'\n');
                    if (next < 0)
                    {
                        break;
                    }

                    i += next;
                    remaining--;
                    if (chunk[i] == (byte)'\n')
                    {
                        i++;
                        if (remaining == 0)
                        {
                            return position + i;
                        }

                        continue;
                    }

                    // A carriage return: a following line feed belongs to the same line break.
                    i++;
                    if (i == read)
                    {
                        afterCarriageReturn = true;
                        break;
                    }

                    if (chunk[i] == (byte)'\n')
                    {
                        i++;
                    }

                    if (remaining == 0)
                    {
                        return position + i;
                    }
                }

                position += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Up to <paramref name="count"/> bytes from <paramref name="offset"/> on.</summary>
    public byte[] ReadBytes(long offset, int count)
    {
        var bytes = new byte[count];
        int total = 0;
        while (total < count)
        {
            int read = Read(offset + total, bytes.AsSpan(total));
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total == count ? bytes : bytes[..total];
    }

    /// <inheritdoc />
    public virtual void Dispose()
    {
    }

    private static bool IsUtf8(Encoding encoding) => encoding.CodePage == Encoding.UTF8.CodePage;

    /// <summary>The encoding a byte order mark at the start names, or <see langword="null"/> without one.</summary>
    private static Encoding? ByteOrderMark(ReadOnlySpan<byte> start) => start switch
    {
        [0xEF, 0xBB, 0xBF, ..] => Encoding.UTF8,
        [0xFF, 0xFE, 0x00, 0x00, ..] => Encoding.UTF32,
        [0x00, 0x00, 0xFE, 0xFF, ..] => new UTF32Encoding(bigEndian: true, byteOrderMark: true),
        [0xFF, 0xFE, ..] => Encoding.Unicode,
        [0xFE, 0xFF, ..] => Encoding.BigEndianUnicode,
        _ => null,
    };

    private static byte[] Transcode(Stream source, Encoding encoding)
    {
        using Stream utf8 = Encoding.CreateTranscodingStream(source, encoding, new UTF8Encoding(false), leaveOpen: true);
        using var buffer = new MemoryStream();
        utf8.CopyTo(buffer);
        return buffer.ToArray();
    }

    private sealed class FileInput : CsvInput
    {
        private readonly string _path;
        private SafeFileHandle? _handle;

        public FileInput(string path) => _path = path;

        public override CsvReader OpenReader(long offset, CsvReaderOptions options)
        {
            if (offset == 0)
            {
                return CsvReader.FromFile(_path, options);
            }

            var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            try
            {
                file.Seek(offset, SeekOrigin.Begin);
                return CsvReader.Create(file, options);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        public override int Read(long offset, Span<byte> buffer)
        {
            _handle ??= File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return RandomAccess.Read(_handle, buffer, offset);
        }

        public override void Dispose() => _handle?.Dispose();
    }

    private sealed class MemoryInput : CsvInput
    {
        private readonly byte[] _bytes;

        public MemoryInput(byte[] bytes, bool transcoded)
        {
            _bytes = bytes;
            Transcoded = transcoded;
        }

        // A stream rather than the array itself: CsvHelper enforces MaxRecordSize only on input it buffers, and an unclosed
        // quote over in-memory input would otherwise hand OnMalformedRecord the rest of the input as one string.
        public override CsvReader OpenReader(long offset, CsvReaderOptions options)
        {
            int start = (int)Math.Min(offset, _bytes.Length);
            return CsvReader.Create(new MemoryStream(_bytes, start, _bytes.Length - start, writable: false), options);
        }

        public override int Read(long offset, Span<byte> buffer)
        {
            if (offset >= _bytes.Length)
            {
                return 0;
            }

            int count = (int)Math.Min(buffer.Length, _bytes.Length - offset);
            _bytes.AsSpan((int)offset, count).CopyTo(buffer);
            return count;
        }
    }
}

using System.Net;

namespace ImagingCds.Tests.Support;

/// <summary>A body sent without <c>Content-Length</c> (chunked), so a size limit can only be enforced while reading.</summary>
internal sealed class UnsizedContent(byte[] bytes) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

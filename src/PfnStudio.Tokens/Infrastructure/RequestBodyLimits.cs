using Microsoft.AspNetCore.Http.Features;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>
/// A small cap on every request body, raised only inside an endpoint that needs more — that is, after
/// authentication and authorization — by <see cref="BoundedBody.ReadAsync"/> (priors and model specs to their
/// size plus multipart framing, Predict to its documented maximum). Nothing before an endpoint reads a body
/// except the bearer scheme's small <c>access_token</c> form check, so an anonymous caller's body costs nothing.
/// </summary>
internal static class RequestBodyLimits
{
    /// <summary>The cap on a request body outside the routes that raise it (every page form, every other API route).</summary>
    public const long DefaultMaxBytes = 64 * 1024;

    /// <summary>Longest form value (no page field needs more); the body cap bounds the form as a whole.</summary>
    public const int MaxFormValueBytes = 16 * 1024;

    /// <summary>Largest multipart section read from a body already bounded by its route (a 1 MiB prior and its framing).</summary>
    public const long MaxMultipartSectionBytes = 2 * 1024 * 1024;

    /// <summary>
    /// Kestrel's <c>MaxRequestBodySize</c> (default 30 MB) lowered to <see cref="DefaultMaxBytes"/> and the form
    /// limits (default 4 MiB per value, 128 MB per multipart section) to what a form needs. Kestrel's minimum
    /// body data rate stays on (240 bytes/s after a 5 s grace), so a body that trickles in ends in 408.
    /// </summary>
    public static WebApplicationBuilder AddRequestBodyLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = DefaultMaxBytes);
        builder.Services.Configure<FormOptions>(form =>
        {
            form.ValueLengthLimit = MaxFormValueBytes;
            form.ValueCountLimit = 256;
            form.KeyLengthLimit = 1024;
            form.MultipartBodyLengthLimit = MaxMultipartSectionBytes;
            form.MultipartHeadersLengthLimit = 8 * 1024;
        });
        builder.Services.AddExceptionHandler<BadRequestBodyHandler>();
        return builder;
    }

    /// <summary>
    /// Where the server has no body limit of its own (the in-memory test server, for one), enforces
    /// <see cref="DefaultMaxBytes"/> the way Kestrel does: a body that declares or delivers more fails to read with a
    /// 413 <see cref="BadHttpRequestException"/>, and an endpoint may raise the limit until it starts reading.
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is null)
            {
                var limited = new LimitedBody(context.Request.Body, context.Request.ContentLength, DefaultMaxBytes);
                context.Request.Body = limited;
                context.Features.Set<IHttpMaxRequestBodySizeFeature>(limited);
            }

            return next(context);
        });

    private sealed class LimitedBody(Stream inner, long? declaredLength, long limit) : Stream, IHttpMaxRequestBodySizeFeature
    {
        private long? _limit = limit;
        private long _read;
        private bool _started;

        public bool IsReadOnly => _started;

        public long? MaxRequestBodySize
        {
            get => _limit;
            set
            {
                if (_started)
                {
                    throw new InvalidOperationException("The request body limit cannot change once the body is being read.");
                }

                _limit = value;
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, Start(count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer[..Start(buffer.Length)], cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Start(int count)
        {
            _started = true;
            if (declaredLength > _limit)
            {
                throw TooLarge();
            }

            // Read at most one byte past the limit, so an over-long body is detected without taking it all in.
            return _limit is { } max ? (int)Math.Min(count, Math.Max(1, max - _read + 1)) : count;
        }

        private int Count(int read)
        {
            _read += read;
            return _read > _limit ? throw TooLarge() : read;
        }

        private static BadHttpRequestException TooLarge() =>
            new("Request body too large.", StatusCodes.Status413PayloadTooLarge);
    }
}

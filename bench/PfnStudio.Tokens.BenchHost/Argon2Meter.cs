using System.Diagnostics.Metrics;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Bench;

/// <summary>Listens to the hasher's meter, so the driver can count Argon2 verifications (cold first use).</summary>
internal sealed class Argon2Meter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _verifications;
    private double _lastVerificationSeconds;

    public long Verifications => Interlocked.Read(ref _verifications);

    public double LastVerificationMilliseconds => Volatile.Read(ref _lastVerificationSeconds) * 1000;

    public void Start()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Argon2idTokenHasher.MeterName && instrument.Name == "pfnstudio.tokens.argon2.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "operation", Value: "verify" })
                {
                    Interlocked.Increment(ref _verifications);
                    Volatile.Write(ref _lastVerificationSeconds, seconds);
                }
            }
        });
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();
}

using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// Keeps a rotated-into token's plaintext for <see cref="Window"/>, so that a retried
/// <c>POST /api/v1/tokens/self/rotate</c> with the same <c>Idempotency-Key</c> gets the same new token, without the
/// store ever holding a token it could reveal on its own:
/// <list type="number">
/// <item>the new plaintext is encrypted with AES-256-GCM under a key derived with HKDF-SHA256 from the
/// <em>rotated</em> (old) token's plaintext — which the store never holds — with a random 16-byte salt and the new
/// token's id as context (and as associated data);</item>
/// <item>that blob (salt, nonce, tag, ciphertext) is then protected with ASP.NET Core Data Protection under
/// <see cref="Purpose"/>, so a copy of the table without the key ring reads nothing either.</item>
/// </list>
/// Only a caller presenting the old token can therefore read it back, and only within the window: after it, the row's
/// column is cleared (each rotation clears every expired one) and the check refuses it anyway.
/// </summary>
internal sealed class RotationReplay(IDataProtectionProvider protection)
{
    /// <summary>How long a rotation's answer can be replayed with its <c>Idempotency-Key</c>: 15 minutes.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>The Data Protection purpose of the stored blobs.</summary>
    public const string Purpose = "PfnStudio.Tokens.RotationReplay.v1";

    private const int SaltBytes = 16, NonceBytes = 12, TagBytes = 16, KeyBytes = 32;

    private readonly IDataProtector _protector = protection.CreateProtector(Purpose);

    /// <summary>The stored form of <paramref name="successorPlaintext"/>, readable only with <paramref name="rotatedPlaintext"/>.</summary>
    public string Protect(string successorPlaintext, string rotatedPlaintext, Guid successorId)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var plain = Encoding.UTF8.GetBytes(successorPlaintext);
        var blob = new byte[SaltBytes + NonceBytes + TagBytes + plain.Length];
        var key = DeriveKey(rotatedPlaintext, salt, successorId);
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Encrypt(nonce, plain, blob.AsSpan(SaltBytes + NonceBytes + TagBytes), blob.AsSpan(SaltBytes + NonceBytes, TagBytes), successorId.ToByteArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plain);
        }

        salt.CopyTo(blob, 0);
        nonce.CopyTo(blob, SaltBytes);
        return Base64Url.EncodeToString(_protector.Protect(blob));
    }

    /// <summary>
    /// The plaintext kept by <see cref="Protect"/>, or <see langword="null"/> when <paramref name="stored"/> was not
    /// protected for this successor with this rotated token (a wrong token, a tampered row, a retired key ring).
    /// </summary>
    public string? Unprotect(string stored, string rotatedPlaintext, Guid successorId)
    {
        byte[] blob;
        try
        {
            blob = _protector.Unprotect(Base64Url.DecodeFromChars(stored));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }

        if (blob.Length <= SaltBytes + NonceBytes + TagBytes)
        {
            return null;
        }

        var plain = new byte[blob.Length - SaltBytes - NonceBytes - TagBytes];
        var key = DeriveKey(rotatedPlaintext, blob.AsSpan(0, SaltBytes).ToArray(), successorId);
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(blob.AsSpan(SaltBytes, NonceBytes), blob.AsSpan(SaltBytes + NonceBytes + TagBytes), blob.AsSpan(SaltBytes + NonceBytes, TagBytes), plain, successorId.ToByteArray());
            return Encoding.UTF8.GetString(plain);
        }
        catch (CryptographicException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static byte[] DeriveKey(string rotatedPlaintext, byte[] salt, Guid successorId)
    {
        var secret = Encoding.UTF8.GetBytes(rotatedPlaintext);
        try
        {
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, KeyBytes, salt, Encoding.UTF8.GetBytes("pfnstudio rotation replay v1 " + successorId.ToString("N")));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}

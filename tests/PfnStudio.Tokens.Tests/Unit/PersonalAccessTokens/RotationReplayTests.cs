using Microsoft.AspNetCore.DataProtection;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Tests.Unit.PersonalAccessTokens;

/// <summary>
/// The replay copy of a rotation's answer: readable only with the rotated (old) token's plaintext and for the
/// successor it was made for; it never contains the successor in clear.
/// </summary>
public sealed class RotationReplayTests
{
    private const string Old = "pfnstudio_pat_AbC123xYz789SECRETsecretSECRETse";
    private const string Successor = "pfnstudio_pat_Zzz111Zzz111newSECRETnewSECRET";

    private static RotationReplay Replay() => new(new EphemeralDataProtectionProvider());

    [Fact]
    public void TheOldTokenReadsTheSuccessorBackAndTheStoredFormHoldsNoPartOfIt()
    {
        var replay = Replay();
        var id = Guid.NewGuid();
        var stored = replay.Protect(Successor, Old, id);

        Assert.Equal(Successor, replay.Unprotect(stored, Old, id));
        Assert.DoesNotContain(Successor[14..], stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Successor[26..], stored, StringComparison.Ordinal);
        Assert.True(stored.Length <= 1024, $"{stored.Length} characters do not fit the column");
    }

    [Fact]
    public void AnotherTokenAnotherSuccessorIdATamperedBlobOrAnotherKeyRingReadNothing()
    {
        var replay = Replay();
        var id = Guid.NewGuid();
        var stored = replay.Protect(Successor, Old, id);

        Assert.Null(replay.Unprotect(stored, Old[..^1] + "x", id));
        Assert.Null(replay.Unprotect(stored, Old, Guid.NewGuid()));
        Assert.Null(replay.Unprotect(stored[..^2] + (stored[^2] == 'A' ? "B" : "A") + stored[^1], Old, id));
        Assert.Null(replay.Unprotect("not base64url!", Old, id));
        Assert.Null(Replay().Unprotect(stored, Old, id));
    }
}

using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace PfnStudio.Tokens.Projects.Artifacts;

/// <summary>The values of a model spec, parsed and checked.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Prior"><c>gp</c> or a pushed prior's name (its existence is checked by the caller).</param>
/// <param name="PriorLine">The 1-based line of the <c>prior</c> value, for the caller's message.</param>
/// <param name="Kernel"><c>rbf</c> or <c>matern52</c>.</param>
/// <param name="Lengthscale">Kernel lengthscale, finite and &gt; 0.</param>
/// <param name="Outputscale">Kernel output scale (signal variance), finite and &gt; 0.</param>
/// <param name="Noise">Observation noise variance, finite and &gt; 0.</param>
internal sealed record ParsedModelSpec(
    string Name, string Prior, int PriorLine, string Kernel, double Lengthscale, double Outputscale, double Noise);

/// <summary>A model spec that could not be accepted: the field and line at fault, and why.</summary>
/// <param name="Field">The YAML field (or <c>yaml</c> for the document itself).</param>
/// <param name="Line">1-based line number.</param>
/// <param name="Message">One sentence that starts with the line and field.</param>
internal sealed record ModelSpecError(string Field, int Line, string Message);

/// <summary>
/// Parses a model spec with YamlDotNet's representation model (which keeps line numbers) and checks it:
/// a single mapping with exactly the fields <c>name</c>, <c>prior</c>, <c>kernel</c>, <c>lengthscale</c>,
/// <c>outputscale</c>, <c>noise</c>; numbers finite and greater than 0.
/// </summary>
internal static class ModelSpecParser
{
    /// <summary>The kernels the Predict API computes.</summary>
    public static readonly IReadOnlyList<string> Kernels = ["rbf", "matern52"];

    private static readonly string[] Fields = ["name", "prior", "kernel", "lengthscale", "outputscale", "noise"];

    /// <summary>Deepest nesting of mappings and sequences accepted (a model spec needs 1).</summary>
    public const int MaxDepth = 8;

    /// <summary>Most YAML nodes (scalars, mappings, sequences) accepted; a model spec has 13.</summary>
    public const int MaxNodes = 256;

    /// <summary>Longest scalar accepted, in characters (names are at most 100, numbers far shorter).</summary>
    public const int MaxScalarLength = 1024;

    /// <summary>
    /// Parses <paramref name="yaml"/>; exactly one of the results is set. The cost is linear in the text's length
    /// whatever its shape; <paramref name="cancellationToken"/> (the request's <c>RequestAborted</c>) stops the work.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static (ParsedModelSpec? Spec, ModelSpecError? Error) Parse(string yaml, CancellationToken cancellationToken = default)
    {
        var stream = new YamlStream();
        try
        {
            // The representation model expands aliases and hashes mapping keys, so anchored lists aliasing each other
            // (with an alias as a key) cost exponential time; it also recurses, so deep nesting overflows the stack.
            // A model spec needs none of that: the event stream is checked first, linearly, and the graph is built
            // only from a small, flat, alias-free document.
            if (Refusal(yaml, cancellationToken) is { } refused)
            {
                return Fail("yaml", refused.Line, refused.Reason);
            }

            stream.Load(new StringReader(yaml));
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            // Every way the text can fail to parse is the caller's input: YamlException and its subclasses, but
            // YamlDotNet's scanner also throws ArgumentOutOfRangeException ("\UFFFFFFFF") and
            // InvalidOperationException (some malformed plain scalars).
            var (line, reason) = ex is YamlException yamlException
                ? ((int)Math.Max(1, yamlException.Start.Line), (ex.InnerException?.Message ?? ex.Message).Trim())
                : (1, "the text cannot be read as YAML");
            return Fail("yaml", line, $"is not valid YAML: {reason}");
        }

        if (stream.Documents.Count != 1)
        {
            return Fail("yaml", 1, stream.Documents.Count == 0 ? "is empty; a model spec is a YAML mapping" : "holds several YAML documents; push one model spec at a time");
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return Fail("yaml", Line(stream.Documents[0].RootNode), "must be a YAML mapping of name, prior, kernel, lengthscale, outputscale and noise");
        }

        var values = new Dictionary<string, YamlScalarNode>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in root.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } || !Fields.Contains(key, StringComparer.Ordinal))
            {
                var shown = (keyNode as YamlScalarNode)?.Value ?? "(not a name)";
                return Fail(shown, Line(keyNode), $"is not a model spec field; the fields are {string.Join(", ", Fields)}");
            }

            if (valueNode is not YamlScalarNode scalar || string.IsNullOrWhiteSpace(scalar.Value))
            {
                return Fail(key, Line(valueNode), "must be a single value");
            }

            values[key] = scalar;
        }

        if (Fields.FirstOrDefault(f => !values.ContainsKey(f)) is { } missing)
        {
            return Fail(missing, Line(root), "is missing");
        }

        var name = values["name"].Value!.Trim();
        if (!ArtifactNames.Pattern().IsMatch(name))
        {
            return Fail("name", Line(values["name"]), $"must be {ArtifactNames.Rule}");
        }

        var prior = values["prior"].Value!.Trim();
        if (!ArtifactNames.Pattern().IsMatch(prior))
        {
            return Fail("prior", Line(values["prior"]), "must be \"gp\" or the name of a prior pushed to this project");
        }

        var kernel = values["kernel"].Value!.Trim();
        if (!Kernels.Contains(kernel, StringComparer.Ordinal))
        {
            return Fail("kernel", Line(values["kernel"]), $"must be one of {string.Join(", ", Kernels)}, not \"{kernel}\"");
        }

        var numbers = new Dictionary<string, double>();
        foreach (var field in (string[])["lengthscale", "outputscale", "noise"])
        {
            var text = values[field].Value!.Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
            {
                return Fail(field, Line(values[field]), $"must be a number greater than 0, not \"{text}\"");
            }

            if (number <= 0)
            {
                return Fail(field, Line(values[field]), $"must be greater than 0, not {text}");
            }

            numbers[field] = number;
        }

        return (new ParsedModelSpec(name, prior, Line(values["prior"]), kernel, numbers["lengthscale"], numbers["outputscale"], numbers["noise"]), null);
    }

    // The first reason to refuse the text, found on the parser's event stream (one pass, no graph, no recursion):
    // anchors, aliases, explicit tags and merge keys (a model spec never needs them), and past the bounds on
    // depth, node count and scalar length.
    private static (int Line, string Reason)? Refusal(string yaml, CancellationToken cancellationToken)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        var nodes = 0;
        while (parser.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = parser.Current!;
            var line = (int)Math.Max(1, current.Start.Line);
            switch (current)
            {
                case AnchorAlias alias:
                    return (line, $"uses the alias *{alias.Value}; anchors and aliases are not allowed in a model spec");
                case NodeEvent { Anchor.IsEmpty: false } anchored:
                    return (line, $"sets the anchor &{anchored.Anchor}; anchors and aliases are not allowed in a model spec");
                case NodeEvent { Tag.IsEmpty: false } tagged:
                    return (line, $"has the tag {tagged.Tag}; tags are not allowed in a model spec");
                case Scalar { Value: "<<", Style: ScalarStyle.Plain }:
                    return (line, "uses the merge key <<; merge keys are not allowed in a model spec");
                case Scalar { Value.Length: > MaxScalarLength }:
                    return (line, $"has a value longer than {MaxScalarLength} characters");
            }

            if (current is NodeEvent && ++nodes > MaxNodes)
            {
                return (line, $"has more than {MaxNodes} values; a model spec is a flat mapping of six fields");
            }

            if (current is MappingStart or SequenceStart && ++depth > MaxDepth)
            {
                return (line, $"nests more than {MaxDepth} levels deep; a model spec is a flat mapping");
            }

            if (current is MappingEnd or SequenceEnd)
            {
                depth--;
            }
        }

        return null;
    }

    private static int Line(YamlNode node) => (int)Math.Max(1, node.Start.Line);

    private static (ParsedModelSpec?, ModelSpecError?) Fail(string field, int line, string reason) =>
        (null, new ModelSpecError(field, line, $"Line {line}, field {field}: {reason}."));
}

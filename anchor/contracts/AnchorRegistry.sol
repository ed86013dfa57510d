// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title AnchorRegistry
/// @notice Public, fork-refusing anchors of the heads of notarized audit logs.
/// A log is registered by the owner with its id (SHA-256 of its origin) and
/// its notary's registry address (the secp256k1 key derived from the quorum
/// key). A head (tree size, RFC 9162 root) is accepted only with the notary's
/// EIP-712 signature over it, a strictly larger size than the last anchored
/// head, and an RFC 9162 consistency proof from that head, verified here with
/// the SHA-256 precompile: a fork cannot be anchored, even by the notary.
/// The registry address of a registered log changes only with an EIP-712
/// Rekey statement signed by its current registry key (numbered, so that each
/// is used once): the owner cannot point a log at a key of its own, anchor a
/// fake extension and point it back.
/// The transaction's sender only pays for gas; the authority is the notary's
/// signature. Statement layouts: schemas/formats/registry-statement.md.
contract AnchorRegistry {
    struct Head {
        address notary; // packed with treeSize and rekeys into one storage slot
        uint64 treeSize;
        uint32 rekeys; // notary changes so far: the nonce of the next Rekey statement
        bytes32 rootHash;
    }

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAME_HASH = keccak256("AuditLedgerAnchorRegistry");
    bytes32 private constant VERSION_HASH = keccak256("1");
    bytes32 public constant STATEMENT_TYPEHASH =
        keccak256("AnchorStatement(bytes32 logId,uint64 treeSize,bytes32 rootHash,bytes32 mapRoot)");
    bytes32 public constant REKEY_TYPEHASH = keccak256("Rekey(bytes32 logId,address newNotary,uint32 nonce)");
    /// secp256k1 n/2 (SEC 2 §2.4.1): signatures with a larger s are malleable (EIP-2).
    uint256 private constant HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    /// A consistency proof between 64-bit sizes has at most 2 * 64 hashes.
    uint256 public constant MAX_PROOF_LENGTH = 128;

    address public owner;
    mapping(bytes32 => Head) private heads;

    error NotOwner();
    error ZeroAddress();
    error AlreadyRegistered(bytes32 logId);
    error UnknownLog(bytes32 logId);
    error BadSignature();
    error HighS();
    error WrongSigner(address recovered, address expected);
    error SizeNotGrowing(uint64 anchoredSize, uint64 treeSize);
    error ProofTooLong(uint256 length);
    error InconsistentHead(uint64 anchoredSize, uint64 treeSize);

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event LogRegistered(bytes32 indexed logId, address notary);
    event NotaryRekeyed(bytes32 indexed logId, address previousNotary, address newNotary);
    event Anchored(bytes32 indexed logId, uint64 treeSize, bytes32 rootHash, bytes32 mapRoot, address notary);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function register(bytes32 logId, address notary) external onlyOwner {
        if (notary == address(0)) revert ZeroAddress();
        if (heads[logId].notary != address(0)) revert AlreadyRegistered(logId);
        heads[logId].notary = notary;
        emit LogRegistered(logId, notary);
    }

    /// A new quorum key means a new registry address; anchored heads stay.
    /// Only the current registry key can hand the log over: the statement
    /// Rekey(logId, newNotary, nonce = rekeys so far) signed by it. Anyone
    /// may submit it (the sender only pays for gas), and it is valid once.
    /// @param signature r || s || v (v = 27 or 28) by the log's current notary.
    function rekey(bytes32 logId, address newNotary, bytes calldata signature) external {
        if (newNotary == address(0)) revert ZeroAddress();
        Head storage h = heads[logId];
        address previous = h.notary;
        if (previous == address(0)) revert UnknownLog(logId);
        uint32 nonce = h.rekeys;
        address signer = recover(rekeyDigest(logId, newNotary, nonce), signature);
        if (signer != previous) revert WrongSigner(signer, previous);
        h.notary = newNotary;
        h.rekeys = nonce + 1;
        emit NotaryRekeyed(logId, previous, newNotary);
    }

    /// The nonce the next Rekey statement of this log must carry.
    function rekeyNonce(bytes32 logId) external view returns (uint32) {
        return heads[logId].rekeys;
    }

    function latest(bytes32 logId) external view returns (address notary, uint64 treeSize, bytes32 rootHash) {
        Head storage h = heads[logId];
        return (h.notary, h.treeSize, h.rootHash);
    }

    /// EIP-712 domain: this contract on this chain, so a statement signed for
    /// another registry or another chain recovers to another address.
    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    function statementDigest(bytes32 logId, uint64 treeSize, bytes32 rootHash, bytes32 mapRoot)
        public
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(STATEMENT_TYPEHASH, logId, treeSize, rootHash, mapRoot));
        return keccak256(abi.encodePacked(hex"1901", domainSeparator(), structHash));
    }

    function rekeyDigest(bytes32 logId, address newNotary, uint32 nonce) public view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(REKEY_TYPEHASH, logId, newNotary, nonce));
        return keccak256(abi.encodePacked(hex"1901", domainSeparator(), structHash));
    }

    /// @param mapRoot the log's verifiable-map root at this head, zero when absent.
    /// @param signature r || s || v (v = 27 or 28) by the log's notary.
    function anchor(
        bytes32 logId,
        uint64 treeSize,
        bytes32 rootHash,
        bytes32 mapRoot,
        bytes32[] calldata consistencyProof,
        bytes calldata signature
    ) external {
        Head storage h = heads[logId];
        address notary = h.notary;
        if (notary == address(0)) revert UnknownLog(logId);
        address signer = recover(statementDigest(logId, treeSize, rootHash, mapRoot), signature);
        if (signer != notary) revert WrongSigner(signer, notary);
        uint64 anchoredSize = h.treeSize;
        if (treeSize <= anchoredSize) revert SizeNotGrowing(anchoredSize, treeSize);
        if (consistencyProof.length > MAX_PROOF_LENGTH) revert ProofTooLong(consistencyProof.length);
        if (!consistent(anchoredSize, treeSize, h.rootHash, rootHash, consistencyProof)) {
            revert InconsistentHead(anchoredSize, treeSize);
        }
        h.treeSize = treeSize;
        h.rootHash = rootHash;
        emit Anchored(logId, treeSize, rootHash, mapRoot, notary);
    }

    function recover(bytes32 digest, bytes calldata signature) private pure returns (address) {
        if (signature.length != 65) revert BadSignature();
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (v != 27 && v != 28) revert BadSignature();
        // The precompile accepts high s; a second valid signature for one
        // statement must not exist (EIP-2).
        if (uint256(s) > HALF_ORDER) revert HighS();
        address signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert BadSignature();
        return signer;
    }

    /// RFC 9162 §2.1.4.2: verifying a consistency proof between (first,
    /// firstHash) and (second, secondHash), first < second. From the empty
    /// tree every head is consistent, with an empty proof.
    function consistent(uint64 first, uint64 second, bytes32 firstHash, bytes32 secondHash, bytes32[] calldata proof)
        private
        pure
        returns (bool)
    {
        if (first == 0) return proof.length == 0;
        uint256 i = 0;
        bytes32 fr;
        bytes32 sr;
        // Step 3: when first is a power of two, first_hash is the proof's first value.
        if (first & (first - 1) == 0) {
            fr = firstHash;
        } else {
            if (proof.length == 0) return false;
            fr = proof[0];
            i = 1;
        }
        sr = fr;
        uint256 fn = first - 1;
        uint256 sn = second - 1;
        while (fn & 1 == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        for (; i < proof.length; ++i) {
            if (sn == 0) return false;
            bytes32 c = proof[i];
            if (fn & 1 == 1 || fn == sn) {
                fr = node(c, fr);
                sr = node(c, sr);
                if (fn & 1 == 0) {
                    while (fn & 1 == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                sr = node(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return fr == firstHash && sr == secondHash && sn == 0;
    }

    /// RFC 9162 §2.1.1: an interior node is SHA-256(0x01 || left || right).
    function node(bytes32 left, bytes32 right) private pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), left, right));
    }
}

"""The edXML codec (QCVN 102:2016/BTTTT): a tolerant reader and a strict writer.

    result = reader.read(data)           # ReadResult: package (Edoc or Status), oddities, signature
    data = writer.write(result.package)  # canonical bytes, unsigned (signing.xmldsig signs them)
"""

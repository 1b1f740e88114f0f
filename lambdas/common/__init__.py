"""Code shared by every Lambda function: models, repositories, normalisation, masking."""

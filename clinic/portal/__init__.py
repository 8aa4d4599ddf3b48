"""The partners' portal: personal links, and each partner's own space on a phone."""

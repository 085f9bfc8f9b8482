"""Channel adapters behind the outreach ``ChannelSender`` port: SMTP e-mail, the HTTP SMS
gateway of outreach-v1, letters for a print house."""
